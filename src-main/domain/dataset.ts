/** Datasets as clients name them; the engine's data layer loads them. */

export const datasetIds = ['synthetic', 'cifar10'] as const;
export type DatasetId = (typeof datasetIds)[number];

export interface DatasetSpec {
  id: DatasetId;
  /** Folder of the dataset's files (not for synthetic). */
  dataDir?: string;
  /** Use only the first N training / test images (quick experiments and tests). */
  trainSize?: number;
  testSize?: number;
}

/** A dataset as the form and the CLI list it. */
export interface DatasetInfo {
  id: DatasetId;
  name: string;
  needsDataDir: boolean;
  description: string;
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
  height: number;
  width: number;
  channels: number;
}
