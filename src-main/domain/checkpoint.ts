/** A saved model state: backbone and, where the method has them, heads and momentum state. */
export interface Checkpoint {
  id: number;
  runId: number;
  step: number;
  epoch: number;
  bytes: number;
  createdAt: string;
}

/** Where a checkpoint's file is on the engine's machine: what a download streams or copies. */
export interface CheckpointFile {
  checkpointId: number;
  runId: number;
  step: number;
  /** The file's absolute path on the engine's machine. */
  path: string;
  /** The name to save it under, saying whose it is: contrastlab-run-3-step-16.ckpt. */
  fileName: string;
  bytes: number;
}

export function checkpointDownloadName(runId: number, step: number): string {
  return `contrastlab-run-${runId}-step-${step}.ckpt`;
}
