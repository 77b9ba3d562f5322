/** One value of one metric of one run: what the training loop reports and the store keeps. */
export interface MetricPoint {
  runId: number;
  step: number;
  epoch: number;
  key: string;
  value: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
}
