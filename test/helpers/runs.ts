import WebSocket from 'ws';
import type { EngineEvent } from '../../src-main/api/events';

/** A tiny run: a few seconds of training on 2 CPU cores. */
export const tinyRun = {
  method: 'simclr',
  dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
  config: { epochs: 1, width: 8, batchSize: 64, projectionHiddenDim: 64 },
} as const;

export interface Reply {
  status: number;
  body: { result?: unknown; error?: string };
  headers: Headers;
}

/** POST /api/<command> as the renderer does. */
export async function call(
  base: string,
  command: string,
  args: unknown[],
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${base}/api/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ args }),
  });
  return { status: res.status, body: (await res.json()) as Reply['body'], headers: res.headers };
}

/** Collects the events of a WebSocket and waits for the first one matching a predicate. */
export class EventLog {
  readonly events: EngineEvent[] = [];
  private waiters: { match: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as EngineEvent;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(event)) return true;
        w.resolve(event);
        return false;
      });
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<EventLog> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const log = new EventLog(ws);
      ws.once('open', () => resolve(log));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  waitFor(match: (e: EngineEvent) => boolean, timeoutMs = 90_000): Promise<EngineEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** The HTTP status a WebSocket handshake is refused with, or 101 when it is accepted. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}
