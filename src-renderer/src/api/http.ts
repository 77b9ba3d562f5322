import { createCommandProxy } from '../../../src-main/api/client';
import type { EngineEvent } from '../../../src-main/api/events';
import { ApiError } from '../../../src-main/domain';
import { downloadText, downloadUrl } from './download';
import type { HostApi } from './types';

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
export function httpApi(baseUrl: string, token: string): HostApi {
  const connection = new HttpConnection(baseUrl, token);
  return {
    ...createCommandProxy((command, args) => connection.call(command, args)),
    pickDirectory: null,
    saveFile: async (name, content) => downloadText(name, content),
    saveCheckpoint: async (id, fileName) => downloadUrl(`${baseUrl}/api/checkpoints/${id}`, fileName),
    onEvent: (listener) => connection.onEvent(listener),
    onConnection: (listener) => connection.onConnection(listener),
  };
}

/** The HTTP requests and the event socket behind httpApi. */
class HttpConnection {
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

  async call(command: string, args: unknown[]): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-contrastlab-token': this.token },
        body: JSON.stringify({ args }),
      });
    } catch (e) {
      throw new ApiError(`cannot reach the ContrastLab server (${(e as Error).message})`, 503);
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
        response.status || 500,
      );
    }
    return record.result;
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
