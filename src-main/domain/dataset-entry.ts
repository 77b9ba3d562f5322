/**
 * The Datasets view: every dataset the user added or trained on, what each holds (splits, classes and
 * their balance, image size, sample images), its dataset cache files, and the background work on them.
 */
import type { DatasetSpec, DatasetSummary } from './dataset';
import type { ImageTile } from './evaluation';
import type { JobStatus } from './job';

/** A dataset of the Datasets view and the run form's list. */
export interface DatasetEntry {
  /**
   * What tells datasets apart: the source and its folder (`cifar10:/data/cifar-10-batches-bin`). Runs
   * on the same folder with other subsets or image sizes are the same dataset.
   */
  key: string;
  /** The id of an entry the user added (for removeDataset), or null for one only runs have used. */
  entryId: number | null;
  name: string;
  spec: DatasetSpec;
  /** When the user added it, or null. */
  addedAt: string | null;
  /** Runs that trained on it, those queued or running among them, and when the latest was created. */
  runCount: number;
  activeRunCount: number;
  lastUsedAt: string | null;
  /** Built into the engine (needs no folder): always listed. */
  builtIn: boolean;
  /** What it holds, from its headers; null where `error` says why it cannot be read now. */
  summary: DatasetSummary | null;
  /** One line: why the dataset cannot be read (a folder moved, deleted or malformed). */
  error: string | null;
  /** Its dataset cache files: how many, and their bytes. */
  cacheFiles: number;
  cacheBytes: number;
}

export interface AddDatasetInput {
  spec: DatasetSpec;
  name?: string;
}

/** One split's images per class. */
export interface DatasetSplitDetails {
  /** 'train', 'test', or 'labelledTrain' (STL-10's labelled training images). */
  name: string;
  count: number;
  labelled: boolean;
  /** Images of each class, by index into DatasetDetails.classNames; null for an unlabelled split. */
  classCounts: number[] | null;
}

/** A file of the dataset that could not be decoded, and why. */
export interface SkippedDatasetFile {
  /** Path relative to the dataset's folder. */
  path: string;
  reason: string;
}

/** 'in-use': a queued or running run reads it, so it cannot be deleted now. */
export type DatasetCacheState = 'ready' | 'in-use';

/** One dataset cache file (the images decoded and resized once, at one image size). */
export interface DatasetCacheFile {
  /** The file's absolute path. */
  file: string;
  bytes: number;
  /** When it was written (ISO 8601). */
  builtAt: string;
  /** The side of its images in pixels. */
  imageSize: number;
  channels: number;
  /** Images in all its splits. */
  images: number;
  /** What tells it from another cache of the same folder and size (a subset, a held-out fraction). */
  variant: string | null;
  state: DatasetCacheState;
}

/** What the Datasets view shows of one dataset. */
export interface DatasetDetails {
  key: string;
  spec: DatasetSpec;
  summary: DatasetSummary;
  classNames: string[];
  splits: DatasetSplitDetails[];
  /** The size its images were read at (the spec's imageSize, else the dataset's own). */
  height: number;
  width: number;
  channels: number;
  /** The dataset's own image side, where all its images have one (not image folders). */
  nativeSize: number | null;
  skipped: SkippedDatasetFile[];
  /** Other lines about the dataset (folders left out of an image folder, …). */
  notes: string[];
  caches: DatasetCacheFile[];
  /**
   * The dataset's job still at work (a cache being built): until it ends, the class counts and
   * sample images are not read (classNames empty, classCounts null).
   */
  job: DatasetJob | null;
}

/** A few images of one class (or of an unlabelled dataset: class null). */
export interface DatasetClassSamples {
  label: number | null;
  name: string;
  /** Images of the class in the split the samples come from. */
  total: number;
  tiles: ImageTile[];
}

export interface DatasetSamples {
  key: string;
  /** The split the samples were drawn from. */
  split: string;
  classes: DatasetClassSamples[];
}

export type DatasetJobKind = 'build-cache' | 'inspect';

/**
 * Background work on a dataset, in a worker process of its own: building its cache, or reading it
 * for the Datasets view (which builds the cache first where the dataset is read through one).
 */
export interface DatasetJob {
  id: number;
  kind: DatasetJobKind;
  /** The dataset (DatasetEntry.key) and the spec the job works on. */
  key: string;
  spec: DatasetSpec;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  message: string;
  error: string | null;
  createdAt: string;
  endedAt: string | null;
}

/** What deleteDatasetCache removed. */
export interface DeletedDatasetCache {
  files: number;
  bytes: number;
}
