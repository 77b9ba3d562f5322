import type { DatasetClassSamples, DatasetSpec, DatasetSplitDetails, SkippedDatasetFile } from '../../domain';

/**
 * What the engine host tells a dataset worker (runner/dataset-worker.ts): one task, then it exits.
 * 'build' loads the dataset through its cache (building the cache where it is missing or stale);
 * 'inspect' does the same, then reports what the Datasets view shows of it.
 */
export interface DatasetTaskMessage {
  type: 'start';
  task: 'build' | 'inspect';
  spec: DatasetSpec;
  /** The dataset cache's folder (data/image-cache.ts), beside the database. */
  cacheDir: string;
  /** inspect: sample images per class. */
  perClass: number;
}

/** What a dataset worker read of a dataset (inspect). */
export interface DatasetInspection {
  name: string;
  classNames: string[];
  splits: DatasetSplitDetails[];
  height: number;
  width: number;
  channels: number;
  skipped: SkippedDatasetFile[];
  notes: string[];
  /** The split the samples come from. */
  sampleSplit: string;
  samples: DatasetClassSamples[];
}

/** What a dataset worker reports to the host. */
export type DatasetWorkerMessage =
  | { type: 'progress'; progress: number; message: string }
  | { type: 'finished'; inspection: DatasetInspection | null }
  | { type: 'failed'; error: string };
