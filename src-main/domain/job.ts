import type { DatasetSpec } from './dataset';

export type JobKind = 'linear-probe' | 'fine-tune' | 'transfer' | 'distill';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

/**
 * What a fine-tune job is asked for (the API's startFineTune): the share of the labelled training split
 * whose labels it uses, in percent (the papers' 1, 10 or 100; any share in (0, 100] whose class-balanced
 * subset keeps every class), the checkpoint (default: a finished run's latest) and the epochs over that
 * subset (default: 60 below 10% of the labels, else 30, as SimCLR fine-tunes, Chen et al. 2020, App. B.5).
 */
export interface FineTuneInput {
  labelPercent: number;
  checkpointId?: number;
  epochs?: number;
}

/**
 * What a transfer job is asked for (the API's startTransfer): another labelled dataset, whose images the
 * run's frozen encoder judges by kNN and a linear probe (InstDisc Sec. 4, MoCo Sec. 4.2, SimCLR Sec. 6),
 * and the checkpoint (default: a finished run's latest). The dataset is read at the run's input size.
 */
export interface TransferInput {
  dataset: DatasetSpec;
  checkpointId?: number;
}

/**
 * What a distillation job is asked for (the API's startDistillation; SimCLR v2, Chen et al. 2020b, Sec. 2):
 * the teacher, a completed fine-tune job of the run; the temperature τ of the softened predictions (default
 * 1, v2's best); the label weight α of the distillation term, 1 − α weighing the cross-entropy of the
 * teacher's labelled share (default 1: distillation alone, as v2's main results); the width of the student,
 * a fresh network of the run's backbone (default the teacher's; at most that); and the epochs over the
 * training images (default: as many as the run's own training).
 */
export interface DistillInput {
  fineTuneJobId: number;
  temperature?: number;
  labelWeight?: number;
  studentWidth?: number;
  epochs?: number;
}

/** What a job was asked for beyond its checkpoint (Job.params). */
export type JobParams = Record<string, number | string | boolean>;

/**
 * Epochs over the labelled subset when a fine-tune is asked for none: 60 below 10% of the labels, else
 * 30 (SimCLR, Chen et al. 2020, App. B.5). The engine runs it and the run view shows it.
 */
export function defaultFineTuneEpochs(labelPercent: number): number {
  return labelPercent < 10 ? 60 : 30;
}

/** A background job on a finished run or checkpoint (a linear probe, a fine-tune), with its own progress. */
export interface Job {
  id: number;
  runId: number;
  kind: JobKind;
  checkpointId: number | null;
  /**
   * What the job was asked for beyond its checkpoint: { labelPercent, epochs } for a fine-tune; the target
   * dataset for a transfer ({ dataset: its id, and the rest of its DatasetSpec }); { fineTuneJobId,
   * labelPercent (the teacher's), temperature, labelWeight, studentWidth, epochs } for a distillation;
   * { optimizer } ('adam' or 'sgd', evaluation-card.ts) for a linear probe, null for one recorded before.
   */
  params: JobParams | null;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  message: string;
  /** e.g. { top1, top5 } for a linear probe or a fine-tune (which adds labelPercent and labelledImages). */
  result: Record<string, number> | null;
  error: string | null;
  createdAt: string;
  endedAt: string | null;
}
