/** A saved model state: backbone and, where the method has them, heads and momentum state. */
export interface Checkpoint {
  id: number;
  runId: number;
  step: number;
  epoch: number;
  bytes: number;
  createdAt: string;
}
