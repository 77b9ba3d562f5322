export type JobKind = 'linear-probe' | 'fine-tune';
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

/** A background job on a finished run or checkpoint (a linear probe, a fine-tune), with its own progress. */
export interface Job {
  id: number;
  runId: number;
  kind: JobKind;
  checkpointId: number | null;
  /**
   * What the job was asked for beyond its checkpoint: { labelPercent, epochs } for a fine-tune; null for a
   * linear probe, which takes nothing else.
   */
  params: Record<string, number> | null;
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
