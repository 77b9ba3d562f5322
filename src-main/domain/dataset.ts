/** Datasets as clients name them; the engine's data layer loads them. */

export const datasetIds = [
  'synthetic',
  'cifar10',
  'cifar100',
  'stl10',
  'mnist',
  'fashion-mnist',
  'imagefolder',
] as const;
export type DatasetId = (typeof datasetIds)[number];

/** The resolutions a run may train at (`imageSize`): small enough for a laptop, large enough for STL-10 and folders. */
export const imageSizeRange = { min: 16, max: 256 } as const;

export interface DatasetSpec {
  id: DatasetId;
  /** Folder of the dataset's files (not for synthetic). */
  dataDir?: string;
  /** Use only the first N training / test images (quick experiments and tests). */
  trainSize?: number;
  testSize?: number;
  /**
   * Train at this side in pixels instead of the dataset's own: images are resized (shorter side) and
   * centre-cropped once, into the dataset cache.
   */
  imageSize?: number;
  /** CIFAR-100: train and evaluate on the 20 coarse super-classes instead of the 100 fine classes. */
  coarseLabels?: boolean;
  /** Image folders without train/ and test/ subfolders: the fraction held out as a labelled test split (default 0.1). */
  testFraction?: number;
}

/** A dataset as the form and the CLI list it. */
export interface DatasetInfo {
  id: DatasetId;
  name: string;
  needsDataDir: boolean;
  description: string;
  /** The side of its images in pixels, where every image has the same (not for image folders). */
  nativeSize?: number;
}

/**
 * What a dataset holds, read from its headers or metadata without loading its images: enough to
 * validate a run before it is recorded (the worker then loads the images once).
 */
export interface DatasetSummary {
  id: DatasetId;
  name: string;
  trainCount: number;
  testCount: number;
  /** Whether the training split has labels (methods such as SupCon need them). */
  labelled: boolean;
  /**
   * Whether kNN and the linear probe can judge runs on it: a labelled test split and a labelled split to
   * fit on (the training split, or for STL-10 its labelled training images).
   */
  evaluable: boolean;
  /** Classes of its labels (absent for a folder without labels). */
  classes?: number;
  height: number;
  width: number;
  channels: number;
}
