import type { DatasetId, DatasetSummary } from '../../domain';
import type { Pixels } from './pixels';

/** One split of a dataset: images as NHWC uint8, in memory or in the dataset cache (data/pixels.ts). */
export interface ImageSplit {
  pixels: Pixels;
  /** Class index per image, or null where the dataset has no labels (labels serve evaluation only). */
  labels: Int32Array | null;
  count: number;
}

/** The pixel geometry shared by every image of a dataset. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface Dataset extends ImageShape {
  id: DatasetId;
  name: string;
  classNames: string[];
  /** What a run trains on (for STL-10: its 100,000 unlabelled images). */
  train: ImageSplit;
  test: ImageSplit;
  /**
   * The labelled images kNN and the linear probe fit on, where they are not the training split (STL-10's
   * 5,000 labelled training images); see evalTrainSplit.
   */
  labelledTrain?: ImageSplit;
  /** Lines every run on this dataset writes to its log (image folders: the files that could not be decoded). */
  notes?: string[];
  /** Per-channel mean and standard deviation of pixel values scaled to [0, 1], for normalisation. */
  mean: [number, number, number];
  std: [number, number, number];
}

/** What a caller may ask of any dataset; each source ignores what does not apply to it. */
export interface DatasetOptions {
  /** Folder holding the dataset's files (sources that read from disk). */
  dataDir?: string;
  /** Seed for generated datasets. */
  seed?: number;
  /** Use at most this many training images (the first ones, in file order, for datasets on disk). */
  trainSize?: number;
  /** Use at most this many test images. */
  testSize?: number;
  /** Resize (shorter side) and centre-crop every image to this side, through the dataset cache. */
  imageSize?: number;
  /** CIFAR-100's 20 coarse labels instead of the 100 fine ones. */
  coarseLabels?: boolean;
  /** Image folders without train/ and test/: the fraction held out, stratified by class (default 0.1). */
  testFraction?: number;
  /** Folder of the dataset cache (data/image-cache.ts), beside the database; a temporary one without it. */
  cacheDir?: string;
  /** Progress of a cache build: images done and in all. */
  onProgress?: (done: number, total: number) => void;
}

/** The labelled split kNN and the linear probe fit on: the training split, unless the dataset names another. */
export function evalTrainSplit(dataset: Dataset): ImageSplit {
  return dataset.labelledTrain ?? dataset.train;
}

/**
 * Evaluation (kNN, embeddings, the probe) fits on the first `size` labelled training images only, where
 * asked; training still sees every image. Image folders store their classes in turn, so a prefix keeps
 * every class.
 */
export function limitEvaluation(dataset: Dataset, size: number): void {
  const split = evalTrainSplit(dataset);
  if (size <= 0 || size >= split.count) return;
  dataset.labelledTrain = {
    pixels: split.pixels,
    labels: split.labels?.subarray(0, size) ?? null,
    count: size,
  };
}

/** A dataset the registry can load: one file per source (synthetic, CIFAR-10, …). */
export interface DatasetSource {
  id: DatasetId;
  name: string;
  /** Whether `dataDir` must be given. */
  needsDataDir: boolean;
  description: string;
  /** The side of its images, where they all have one (not image folders). */
  nativeSize?: number;
  load(options: DatasetOptions): Promise<Dataset>;
  /**
   * Checks the dataset from its headers or metadata, without reading its images, and says what it
   * holds; throws the DatasetError `load` would throw for a missing or malformed folder.
   */
  inspect(options: DatasetOptions): Promise<DatasetSummary>;
}
