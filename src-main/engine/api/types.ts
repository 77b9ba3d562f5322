/**
 * The data types of the API contract between the engine and its clients (CLI, renderer). Plain JSON
 * values only: they cross process boundaries.
 */

export const runStatuses = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];

export type DatasetId = 'synthetic' | 'cifar10';
export type BackendPreference = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

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
  | { event: 'log'; line: LogLine }
  | { event: 'job-updated'; job: Job }
  | { event: 'checkpoint'; checkpoint: Checkpoint }
  | { event: 'grid-created'; grid: Grid };

/* ------------------------------------------------------------------------------------------------
 * Evaluation and diagnostics (issue #6). Scalar diagnostics are ordinary MetricPoints under these
 * keys, written once per epoch (step 0 = the random initialisation) by the training loop:
 *   knn_top1, knn_top5           weighted kNN (Wu et al. 2018) — already there
 *   align, uniform               alignment and uniformity of the normalised embedding (Wang & Isola 2020)
 *   embedding_std                std of the L2-normalised embedding per dimension, averaged (SimSiam §4.1)
 *   embedding_dim                its dimension d (healthy std ≈ 1/√d, collapsed → 0)
 *   effective_rank               RankMe (Garrido et al. 2023): exp of the entropy of normalised singular values
 *   pos_sim_mean, neg_sim_mean   mean cosine similarity of positive / negative pairs
 *   probe_top1, probe_top5       linear probe on frozen features (end of run, and on-demand jobs)
 * The embedding is the backbone's output (what kNN and the probe judge), on un-augmented test images for
 * embedding_std / effective_rank, and on two augmented views of a fixed set of images for the rest.
 * ---------------------------------------------------------------------------------------------- */

export const diagnosticKeys = [
  'align',
  'uniform',
  'embedding_std',
  'embedding_dim',
  'effective_rank',
  'pos_sim_mean',
  'neg_sim_mean',
  'probe_top1',
  'probe_top5',
] as const;

/**
 * When a run counts as collapsing, for the worker's log warning and the app's banner alike: std·√d of
 * the normalised embedding below this share of its healthy value 1 (SimSiam §4.1), or an effective
 * rank below this (all outputs near a line).
 */
export const collapseThresholds = { stdRatio: 0.2, effectiveRank: 2 } as const;

/** An image as raw pixels for display: RGBA, row-major, base64 of width × height × 4 bytes. */
export interface ImageTile {
  width: number;
  height: number;
  rgba: string;
}

/** Which images: split and positions in it. */
export interface ImageRef {
  split: 'train' | 'test';
  index: number;
}

/** Cosine-similarity histograms of positive and negative pairs at one epoch (InvaSpread, Ye et al. 2019, fig. 5). */
export interface SimilarityHistogram {
  runId: number;
  step: number;
  epoch: number;
  /** Bin edges are min + i·(max − min)/bins, i = 0..bins (bins = positive.length). */
  min: number;
  max: number;
  /** Fraction of pairs in each bin (each array sums to 1). */
  positive: number[];
  negative: number[];
}

/** The test-split embedding at one epoch, for the embedding map. */
export interface EmbeddingSnapshot {
  runId: number;
  step: number;
  epoch: number;
  /** Positions in the test split, and their labels (−1 where unlabelled). */
  indices: number[];
  labels: number[];
  classNames: string[];
  dim: number;
  /** L2-normalised features, float32 little-endian, row-major [indices.length, dim], base64. */
  features: string;
  /** The first two principal components of `features` (computed by the engine), one [x, y] per row. */
  pca: [number, number][];
}

/** Epochs for which an embedding snapshot exists. */
export interface EmbeddingEpoch {
  step: number;
  epoch: number;
}

export interface RetrievalNeighbour {
  index: number;
  label: number;
  similarity: number;
  match: boolean;
}

/** A test image's nearest training images by cosine similarity of backbone features (InstDisc fig. 5). */
export interface RetrievalResult {
  runId: number;
  epoch: number;
  query: { index: number; label: number };
  neighbours: RetrievalNeighbour[];
  /** Share of the k neighbours with the query's label. */
  precision: number;
}

/** Test queries ranked worst first by precision@k (ties: lower mean similarity first). */
export interface RetrievalRanking {
  runId: number;
  epoch: number;
  k: number;
  queries: { index: number; label: number; precision: number }[];
}

/** A saved model state: backbone and, where the method has them, heads and momentum state. */
export interface Checkpoint {
  id: number;
  runId: number;
  step: number;
  epoch: number;
  bytes: number;
  createdAt: string;
}

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

/** The augmented views the method's current settings draw from a few dataset images. */
export interface AugmentationPreview {
  /** One name per view, in the method's view plan order, e.g. ['global 1', 'global 2', 'local 1']. */
  viewNames: string[];
  originals: ImageTile[];
  /** views[i][v]: image i's view v. */
  views: ImageTile[][];
}

export interface AugmentationPreviewInput {
  method: string;
  dataset: DatasetSpec;
  config: Record<string, unknown>;
  /** Images to show (default 6, at most 16). */
  count?: number;
  /** Changes which images and which random draws (default 0). */
  seed?: number;
}

/** One axis of a grid of runs: a config field and the values it takes. */
export interface GridAxis {
  field: string;
  values: (number | string | boolean)[];
}

export interface CreateGridInput {
  method: string;
  dataset: DatasetSpec;
  /** The settings every run shares; each cell overrides rows.field and cols.field. */
  config: Record<string, unknown>;
  rows: GridAxis;
  cols: GridAxis;
  /** The metric each cell shows: its final value (default 'probe_top1'). */
  metric?: string;
  name?: string;
  backend?: BackendPreference;
}

/** A grid of runs that differ in two settings (e.g. SimCLR's augmentation-pair ablation), shown as a heatmap. */
export interface Grid {
  id: number;
  name: string;
  method: string;
  rows: GridAxis;
  cols: GridAxis;
  metric: string;
  /** runIds[r][c]: the run of row value r and column value c. */
  runIds: number[][];
  createdAt: string;
}
