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
