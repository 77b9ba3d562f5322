/**
 * The API contract between the engine and every client. The renderer sees exactly this interface,
 * whichever transport carries it (Electron IPC through the preload, or HTTP + WebSocket in browser
 * mode); the engine host implements it (dispatcher.ts).
 */
import type {
  AugmentationPreview,
  AugmentationPreviewInput,
  Checkpoint,
  CreateGridInput,
  CreateRunInput,
  EmbeddingEpoch,
  EmbeddingSnapshot,
  EngineEvent,
  Grid,
  ImageRef,
  ImageTile,
  Job,
  LogLine,
  MetricPoint,
  RetrievalRanking,
  RetrievalResult,
  Run,
  SimilarityHistogram,
} from './types';

export interface PaperInfo {
  title: string;
  authors: string;
  year: number;
  url: string;
}

/** A method as the cards and the form show it; `config` is the JSON Schema of its config. */
export interface MethodInfo {
  id: string;
  title: string;
  family: string;
  idea: string;
  paper: PaperInfo;
  needsLabels: boolean;
  config: Record<string, unknown>;
}

export interface DatasetInfo {
  id: string;
  name: string;
  needsDataDir: boolean;
  description: string;
}

export interface RunPatch {
  name?: string;
  tags?: string[];
  notes?: string;
}

/** Every command a client can send. All results are plain JSON. */
export interface ContrastLabApi {
  listMethods(): Promise<MethodInfo[]>;
  listDatasets(): Promise<DatasetInfo[]>;
  listRuns(): Promise<Run[]>;
  getRun(id: number): Promise<Run>;
  createRun(input: CreateRunInput): Promise<Run>;
  stopRun(id: number): Promise<void>;
  updateRun(id: number, patch: RunPatch): Promise<Run>;
  deleteRun(id: number): Promise<void>;
  getMetrics(runIds: number[], keys?: string[]): Promise<MetricPoint[]>;
  getLogs(runId: number): Promise<LogLine[]>;
  /** 'histograms': the similarity histograms of the runs, one row per (run, epoch, bin). */
  exportCsv(what: 'runs' | 'metrics' | 'histograms', runIds?: number[]): Promise<string>;

  // Evaluation views (issue #6). `epoch` omitted means the latest available.
  /** Similarity histograms of a run, one per evaluated epoch, oldest first. */
  getHistograms(runId: number): Promise<SimilarityHistogram[]>;
  /** Epochs with a stored test embedding. */
  listEmbeddings(runId: number): Promise<EmbeddingEpoch[]>;
  getEmbedding(runId: number, epoch?: number): Promise<EmbeddingSnapshot>;
  /** A test image's k nearest training images (needs the training embedding, kept for the latest epoch). */
  getRetrieval(runId: number, queryIndex: number, k?: number): Promise<RetrievalResult>;
  /** The `count` test queries with the lowest precision@k. */
  getWorstQueries(runId: number, k?: number, count?: number): Promise<RetrievalRanking>;
  /** Pixels of dataset images of a run's dataset, for thumbnails (at most 256 per call). */
  getImages(runId: number, refs: ImageRef[]): Promise<ImageTile[]>;
  /** Views drawn with a method's augmentation settings, for the form's preview. */
  previewAugmentations(input: AugmentationPreviewInput): Promise<AugmentationPreview>;

  // Checkpoints and jobs.
  listCheckpoints(runId: number): Promise<Checkpoint[]>;
  /** Starts a linear probe on a checkpoint (default: the run's latest) as a background job. */
  startLinearProbe(runId: number, checkpointId?: number): Promise<Job>;
  listJobs(runId?: number): Promise<Job[]>;

  // Grids of runs (heatmaps).
  /** Creates and queues rows × cols runs; the engine runs them a few at a time. */
  createGrid(input: CreateGridInput): Promise<Grid>;
  listGrids(): Promise<Grid[]>;
  getGrid(id: number): Promise<Grid>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

/** The command names, for transports that route by name. */
export const apiCommands = [
  'listMethods',
  'listDatasets',
  'listRuns',
  'getRun',
  'createRun',
  'stopRun',
  'updateRun',
  'deleteRun',
  'getMetrics',
  'getLogs',
  'exportCsv',
  'getHistograms',
  'listEmbeddings',
  'getEmbedding',
  'getRetrieval',
  'getWorstQueries',
  'getImages',
  'previewAugmentations',
  'listCheckpoints',
  'startLinearProbe',
  'listJobs',
  'createGrid',
  'listGrids',
  'getGrid',
] as const satisfies readonly (keyof ContrastLabApi)[];

export type ApiCommand = (typeof apiCommands)[number];

/**
 * What the desktop app's preload exposes as `window.contrastlab`: the API plus native dialogs. In
 * browser mode there is no such object; the renderer's HTTP client implements ContrastLabApi alone,
 * picks folders through a typed path and saves files as downloads (GET /api/csv/…).
 */
export interface DesktopApi extends ContrastLabApi {
  /** A folder picker; the chosen folder's absolute path, or null when cancelled. */
  pickDirectory(): Promise<string | null>;
  /** A save dialog proposing `name`; writes `content` (UTF-8) there. The path written, or null when cancelled. */
  saveFile(name: string, content: string): Promise<string | null>;
}
