import type { BackendPreference, DatasetSpec, LogLine, MetricPoint, RunProgress } from '../api/types';

/** What the engine host tells a run worker. */
export type HostMessage =
  | {
      type: 'start';
      runId: number;
      method: string;
      dataset: DatasetSpec;
      backend: BackendPreference;
      config: Record<string, unknown>;
    }
  | { type: 'stop' };

/** What a run worker reports to the engine host. */
export type WorkerMessage =
  | { type: 'started'; backend: string; device: string }
  | { type: 'metrics'; points: MetricPoint[] }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'log'; line: LogLine }
  | { type: 'finished'; status: 'completed' | 'stopped' | 'failed'; error?: string };
