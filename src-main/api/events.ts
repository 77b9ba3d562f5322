/** Every event the engine pushes to its clients, over whichever transport carries them. */
import type { Checkpoint, Grid, Job, LogLine, MetricPoint, Run, RunProgress } from '../domain';

export type EngineEvent =
  | { event: 'run-created'; run: Run }
  | { event: 'run-updated'; run: Run }
  | { event: 'metrics'; points: MetricPoint[] }
  | { event: 'progress'; progress: RunProgress }
  | { event: 'log'; line: LogLine }
  | { event: 'job-updated'; job: Job }
  | { event: 'checkpoint'; checkpoint: Checkpoint }
  | { event: 'grid-created'; grid: Grid };

export type EngineEventListener = (event: EngineEvent) => void;
