import type {
  BackendPreference,
  DatasetSpec,
  LogLine,
  MetricPoint,
  RunProgress,
  SimilarityHistogram,
} from '../../domain';
import type { RunConfig } from '../methods';
import type { ResumeSpec } from './resume';

/**
 * L2-normalised backbone features of the first images of a split at one evaluation. The
 * float32 values travel as base64 (fork's IPC serialises messages as JSON).
 */
export interface EmbeddingReport {
  runId: number;
  split: 'train' | 'test';
  step: number;
  epoch: number;
  /** Positions in the split, one per row. */
  indices: number[];
  dim: number;
  /** float32 little-endian, row-major [indices.length, dim], base64. */
  features: string;
}

/** What the engine host tells a run worker. */
export type HostMessage =
  | {
      type: 'start';
      runId: number;
      method: string;
      dataset: DatasetSpec;
      backend: BackendPreference;
      /** The config the host resolved and recorded when the run was created. */
      config: RunConfig;
      /** Folder for this run's checkpoints (runner/checkpoint.ts); none are saved without it. */
      checkpointDir?: string;
      /** The dataset cache's folder (data/image-cache.ts), beside the database. */
      datasetCacheDir?: string;
      /** Continue the run from one of its checkpoints (runner/resume.ts) instead of starting it. */
      resume?: ResumeSpec;
    }
  | { type: 'stop' };

/** What a run worker reports to the engine host. */
export type WorkerMessage =
  | { type: 'started'; backend: string; device: string }
  | { type: 'metrics'; points: MetricPoint[] }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'log'; line: LogLine }
  /** A checkpoint file was written (the host records it). */
  | { type: 'checkpoint'; step: number; epoch: number; path: string; bytes: number }
  /** Similarity histograms of an evaluated epoch. */
  | { type: 'histogram'; histogram: SimilarityHistogram }
  /** Features of a split at an evaluated epoch: test kept per epoch, train only the latest. */
  | { type: 'embedding'; embedding: EmbeddingReport }
  | { type: 'finished'; status: 'completed' | 'stopped' | 'failed'; error?: string };
