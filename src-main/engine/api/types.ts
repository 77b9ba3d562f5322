/**
 * The data types of the API contract between the engine and its clients (CLI, renderer). Plain JSON
 * values only: they cross process boundaries.
 */

export const runStatuses = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];

export type DatasetId = 'synthetic' | 'cifar10';
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface DatasetSpec {
  id: DatasetId;
  /** Folder of the dataset's files (not for synthetic). */
  dataDir?: string;
  /** Use only the first N training / test images (quick experiments and tests). */
  trainSize?: number;
  testSize?: number;
}

/** What a client sends to start a run; `config` may be partial: the method's schema fills defaults. */
export interface CreateRunInput {
  method: string;
  dataset: DatasetSpec;
  config: Record<string, unknown>;
  name?: string;
  tags?: string[];
  backend?: BackendPreference;
}

export interface Run {
  id: number;
  name: string;
  method: string;
  status: RunStatus;
  dataset: DatasetSpec;
  backendPreference: BackendPreference;
  /** The tfjs backend actually used and the device, once the worker has started. */
  backend: string | null;
  device: string | null;
  config: Record<string, unknown>;
  tags: string[];
  notes: string;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Last value of each metric key. */
  summary: Record<string, number>;
}

export interface MetricPoint {
  runId: number;
  step: number;
  epoch: number;
  key: string;
  value: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
}

export interface RunProgress {
  runId: number;
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number | null;
  imagesPerSecond: number | null;
  etaSeconds: number | null;
}

export interface LogLine {
  runId: number;
  time: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Events the engine pushes to clients. */
export type EngineEvent =
  | { event: 'run-created'; run: Run }
  | { event: 'run-updated'; run: Run }
  | { event: 'metrics'; points: MetricPoint[] }
  | { event: 'progress'; progress: RunProgress }
  | { event: 'log'; line: LogLine };
