import type { BackendPreference, DatasetSpec, ProbeOptimizer } from '../../domain';

/**
 * What a job does: a linear probe, a fine-tune on a share of the labels (eval/fine-tune.ts), a transfer
 * of the frozen encoder to another labelled dataset (eval/transfer.ts, runner/jobs/transfer.ts), or a
 * distillation of a fine-tune into a student (eval/distill.ts).
 */
export type JobTask =
  | { kind: 'linear-probe'; optimizer: ProbeOptimizer }
  | {
      kind: 'fine-tune';
      /** Share of the labelled training split, in percent. */
      labelPercent: number;
      epochs: number;
      /** Where to keep the fine-tuned network and classifier: a teacher (runner/fine-tuned-model.ts). */
      saveTo?: string;
    }
  | DistillTask
  | {
      kind: 'transfer';
      /** The other dataset, read at the run's input size. */
      target: DatasetSpec;
    };

/** A distillation of a fine-tune job's network into a fresh student (runner/jobs/distill.ts). */
export interface DistillTask {
  kind: 'distill';
  /** The teacher: a completed fine-tune job of the run, and its file of its network and classifier. */
  teacherJobId: number;
  teacherFile: string;
  /** The teacher's share of the labels, whose images the labelled term uses when labelWeight < 1. */
  labelPercent: number;
  temperature: number;
  labelWeight: number;
  studentWidth: number;
  epochs: number;
}

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

/**
 * The result of a transfer job (fractions, and seconds): the linear probe on the other dataset as
 * top1/top5 (the jobs list's columns), and weighted kNN beside it.
 */
export interface TransferJobResult extends ProbeJobResult {
  knnTop1: number;
  knnTop5: number;
  /** The other dataset's labelled training and test images the evaluation used. */
  trainImages: number;
  testImages: number;
}

/**
 * The result of a distillation job: the student's accuracies on the test split and the teacher's top-1
 * (fractions), the share of test images on which they agree, what it trained on, and seconds.
 */
export interface DistillJobResult {
  top1: number;
  top5: number;
  teacherTop1: number;
  agreement: number;
  studentWidth: number;
  images: number;
  labelledImages: number;
  epochs: number;
  seconds: number;
}

/** What a job worker reports to the host. */
export type JobWorkerMessage =
  | { type: 'started'; backend: string; device: string }
  /**
   * A fine-tune's input holds up (labelled splits, every class kept by the subset, the checkpoint loaded):
   * the host answers startFineTune with the job from here on. A transfer's likewise (the other dataset
   * read and labelled, the checkpoint loaded), for startTransfer; `labelledImages` is then the other
   * dataset's labelled training images. A distillation's likewise (the teacher's file loaded, the
   * labelled share drawn where it is used), for startDistillation; `labelledImages` is 0 without it.
   */
  | { type: 'ready'; labelledImages: number }
  | { type: 'progress'; progress: number; message: string }
  | { type: 'finished'; result: ProbeJobResult | FineTuneJobResult | TransferJobResult | DistillJobResult }
  /** `input`: the job was asked something it cannot do (one line for the user), before it became ready. */
  | { type: 'failed'; error: string; input?: boolean };
