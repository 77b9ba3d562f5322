/**
 * The API contract between the engine and every client. The renderer sees exactly this interface,
 * whichever transport carries it (Electron IPC through the preload, or HTTP + WebSocket in browser
 * mode); the engine host implements it (dispatcher.ts).
 */
import type { CreateRunInput, EngineEvent, LogLine, MetricPoint, Run } from './types';

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
  exportCsv(what: 'runs' | 'metrics', runIds?: number[]): Promise<string>;
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
