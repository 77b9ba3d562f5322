import type { BackendPreference, DatasetSpec } from '../../domain';

/** What a job does: a linear probe, or a fine-tune on a share of the labels (eval/fine-tune.ts). */
export type JobTask =
  | { kind: 'linear-probe' }
  | {
      kind: 'fine-tune';
      /** Share of the labelled training split, in percent. */
      labelPercent: number;
      epochs: number;
    };

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
  task: JobTask;
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

/** The result of a fine-tune job: accuracies (fractions), what it trained on, and seconds. */
export interface FineTuneJobResult extends ProbeJobResult {
  labelPercent: number;
  labelledImages: number;
  epochs: number;
}

/** What a job worker reports to the host. */
export type JobWorkerMessage =
  | { type: 'started'; backend: string; device: string }
  /**
   * A fine-tune's input holds up (labelled splits, every class kept by the subset, the checkpoint loaded):
   * the host answers startFineTune with the job from here on.
   */
  | { type: 'ready'; labelledImages: number }
  | { type: 'progress'; progress: number; message: string }
  | { type: 'finished'; result: ProbeJobResult | FineTuneJobResult }
  /** `input`: the job was asked something it cannot do (one line for the user), before it became ready. */
  | { type: 'failed'; error: string; input?: boolean };
