import type { ApiCommand, ContrastLabApi } from '../../../src-main/api/commands';
import type { EngineEvent } from '../../../src-main/api/events';
import { downloadText } from './download';
import { ApiError, type HostApi } from './types';

type Listener<T> = (value: T) => void;

function errorMessage(error: unknown): string | null {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return null;
}

/**
 * The browser transport: commands as `POST /api/<command>` with `{ args }` and the access token in a
 * header; engine events over a WebSocket that reconnects with backoff when the server goes away.
 */
export class HttpApi implements HostApi {
  readonly pickDirectory = null;
  private readonly eventListeners = new Set<Listener<EngineEvent>>();
  private readonly connectionListeners = new Set<Listener<boolean>>();
  private socket: WebSocket | null = null;
  private connected = false;
  private retryMs = 500;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(command: ApiCommand, args: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-contrastlab-token': this.token },
        body: JSON.stringify({ args }),
      });
    } catch (e) {
      throw new ApiError(`cannot reach the ContrastLab server (${(e as Error).message})`);
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON: reported below with the HTTP status.
    }
    const record = (body ?? {}) as { result?: unknown; error?: unknown };
    if (!response.ok || record.error !== undefined) {
      throw new ApiError(
        errorMessage(record.error) ?? `HTTP ${response.status} from /api/${command}`,
        response.status,
      );
    }
    return record.result as T;
  }

  listMethods: ContrastLabApi['listMethods'] = () => this.call('listMethods', []);
  listDatasets: ContrastLabApi['listDatasets'] = () => this.call('listDatasets', []);
  listRuns: ContrastLabApi['listRuns'] = () => this.call('listRuns', []);
  getRun: ContrastLabApi['getRun'] = (id) => this.call('getRun', [id]);
  createRun: ContrastLabApi['createRun'] = (input) => this.call('createRun', [input]);
  stopRun: ContrastLabApi['stopRun'] = async (id) => {
    await this.call('stopRun', [id]);
  };
  updateRun: ContrastLabApi['updateRun'] = (id, patch) => this.call('updateRun', [id, patch]);
  deleteRun: ContrastLabApi['deleteRun'] = async (id) => {
    await this.call('deleteRun', [id]);
  };
  getMetrics: ContrastLabApi['getMetrics'] = (runIds, keys) =>
    this.call('getMetrics', keys ? [runIds, keys] : [runIds]);
  getLogs: ContrastLabApi['getLogs'] = (runId) => this.call('getLogs', [runId]);
  exportCsv: ContrastLabApi['exportCsv'] = (what, runIds) =>
    this.call('exportCsv', runIds ? [what, runIds] : [what]);
  getHistograms: ContrastLabApi['getHistograms'] = (runId) => this.call('getHistograms', [runId]);
  listEmbeddings: ContrastLabApi['listEmbeddings'] = (runId) => this.call('listEmbeddings', [runId]);
  getEmbedding: ContrastLabApi['getEmbedding'] = (runId, epoch) =>
    this.call('getEmbedding', epoch === undefined ? [runId] : [runId, epoch]);
  getRetrieval: ContrastLabApi['getRetrieval'] = (runId, queryIndex, k) =>
    this.call('getRetrieval', [runId, queryIndex, k ?? null]);
  getWorstQueries: ContrastLabApi['getWorstQueries'] = (runId, k, count) =>
    this.call('getWorstQueries', [runId, k ?? null, count ?? null]);
  getImages: ContrastLabApi['getImages'] = (runId, refs) => this.call('getImages', [runId, refs]);
  previewAugmentations: ContrastLabApi['previewAugmentations'] = (input) =>
    this.call('previewAugmentations', [input]);
  listCheckpoints: ContrastLabApi['listCheckpoints'] = (runId) => this.call('listCheckpoints', [runId]);
  startLinearProbe: ContrastLabApi['startLinearProbe'] = (runId, checkpointId) =>
    this.call('startLinearProbe', [runId, checkpointId ?? null]);
  listJobs: ContrastLabApi['listJobs'] = (runId) => this.call('listJobs', [runId ?? null]);
  createGrid: ContrastLabApi['createGrid'] = (input) => this.call('createGrid', [input]);
  listGrids: ContrastLabApi['listGrids'] = () => this.call('listGrids', []);
  getGrid: ContrastLabApi['getGrid'] = (id) => this.call('getGrid', [id]);

  async saveFile(name: string, content: string): Promise<boolean> {
    return downloadText(name, content);
  }

  onEvent(listener: Listener<EngineEvent>): () => void {
    this.eventListeners.add(listener);
    this.connect();
    return () => this.eventListeners.delete(listener);
  }

  onConnection(listener: Listener<boolean>): () => void {
    this.connectionListeners.add(listener);
    listener(this.connected);
    this.connect();
    return () => this.connectionListeners.delete(listener);
  }

  private setConnected(value: boolean): void {
    if (value === this.connected) return;
    this.connected = value;
    for (const l of this.connectionListeners) l(value);
  }

  private connect(): void {
    if (this.socket || this.retryTimer) return;
    const url = new URL(`/events?token=${encodeURIComponent(this.token)}`, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.setConnected(true);
    };
    socket.onmessage = (message) => {
      let event: EngineEvent;
      try {
        event = JSON.parse(String(message.data)) as EngineEvent;
      } catch {
        return;
      }
      for (const l of this.eventListeners) l(event);
    };
    socket.onclose = () => {
      this.socket = null;
      this.setConnected(false);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }
}
