import type { BackendPreference, DatasetSpec } from '../../domain';

/** What the engine host tells a job worker (runner/job-worker.ts): one job, then it exits. */
export interface JobStartMessage {
  type: 'start';
  jobId: number;
  runId: number;
  method: string;
  dataset: DatasetSpec;
  backend: BackendPreference;
  /** The run's resolved config: the model is rebuilt from it before the checkpoint is loaded. */
  config: Record<string, unknown>;
  checkpointPath: string;
  /** The dataset cache's folder (data/image-cache.ts), beside the database. */
  datasetCacheDir?: string;
}

/** The result of a linear-probe job (fractions, and seconds). */
export interface ProbeJobResult {
  top1: number;
  top5: number;
  trainTop1: number;
  seconds: number;
}

/** What a job worker reports to the host. */
export type JobWorkerMessage =
  | { type: 'started'; backend: string; device: string }
  | { type: 'progress'; progress: number; message: string }
  | { type: 'finished'; result: ProbeJobResult }
  | { type: 'failed'; error: string };
