export type JobKind = 'linear-probe';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

/** A background job on a finished run or checkpoint (a linear probe), with its own progress. */
export interface Job {
  id: number;
  runId: number;
  kind: JobKind;
  checkpointId: number | null;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  message: string;
  /** e.g. { top1, top5 } for a linear probe. */
  result: Record<string, number> | null;
  error: string | null;
  createdAt: string;
  endedAt: string | null;
}
