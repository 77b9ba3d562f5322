/**
 * The channel between Electron's main process and the engine host process (src-main/engine-host): the
 * API's commands go in, their replies and the engine's events come out. Electron's utilityProcess and a
 * Node child process (tests, a plain `fork`) carry the same messages; each side sees only `HostPort`.
 */
import type { ApiReply } from '../../api/dispatch';
import { invoke } from '../../api/dispatch';
import type { ContrastLabApi } from '../../api/commands';
import type { EngineEvent, EngineEventListener } from '../../api/events';

/** Main process → engine host. */
export type ToHost =
  | { type: 'invoke'; id: number; command: string; args: unknown[] }
  /** Stop the runs this host started, close the database, then exit. */
  | { type: 'close' };

/** Engine host → main process. */
export type FromHost =
  | { type: 'ready' }
  /** The engine could not start (a database it cannot open): one line for the user. */
  | { type: 'failed'; error: string }
  | { type: 'reply'; id: number; reply: ApiReply }
  | { type: 'event'; event: EngineEvent }
  | { type: 'closed' };

/** One end of the channel: a way to send and a way to hear. */
export interface HostPort<In, Out> {
  /** Sends a message; `sent` is called once it has left this process. */
  send(message: Out, sent?: () => void): void;
  onMessage(listener: (message: In) => void): void;
}

/**
 * The engine host's side: answers every command with the API and forwards every event. On 'close' it
 * closes the engine, says so, and calls `exit` once that message has left.
 */
export function serveApi(
  api: ContrastLabApi,
  port: HostPort<ToHost, FromHost>,
  close: () => Promise<void>,
  exit: () => void,
): void {
  api.onEvent((event) => port.send({ type: 'event', event }));
  port.onMessage((m) => {
    if (m.type === 'invoke') {
      void invoke(api, m.command, m.args).then((reply) => port.send({ type: 'reply', id: m.id, reply }));
    } else if (m.type === 'close') {
      void close().finally(() => port.send({ type: 'closed' }, exit));
    }
  });
  port.send({ type: 'ready' });
}

/** The main process's side: the engine host as something to invoke commands on and listen to. */
export interface EngineHostClient {
  /** Resolves once the engine has opened its database; rejects with its one-line reason otherwise. */
  readonly ready: Promise<void>;
  invoke(command: string, args: unknown[]): Promise<ApiReply>;
  onEvent(listener: EngineEventListener): () => void;
  /** Asks the host to stop its runs and close; resolves when it has (or when it has exited). */
  close(): Promise<void>;
}

export function connectEngineHost(
  port: HostPort<FromHost, ToHost>,
  /** Registers a listener for the host process's exit. */
  onExit: (listener: (code: number | null) => void) => void,
): EngineHostClient {
  let nextId = 1;
  const pending = new Map<number, (reply: ApiReply) => void>();
  const listeners = new Set<EngineEventListener>();
  let exited = false;
  let closed: (() => void) | null = null;
  let settleReady: { resolve: () => void; reject: (e: Error) => void };
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  // A failed start must not be an unhandled rejection when nobody awaits `ready`.
  ready.catch(() => undefined);

  port.onMessage((m) => {
    switch (m.type) {
      case 'ready':
        settleReady.resolve();
        break;
      case 'failed':
        settleReady.reject(new Error(m.error));
        break;
      case 'reply':
        pending.get(m.id)?.(m.reply);
        pending.delete(m.id);
        break;
      case 'event':
        for (const l of listeners) l(m.event);
        break;
      case 'closed':
        closed?.();
        break;
    }
  });
  onExit((code) => {
    exited = true;
    settleReady.reject(new Error(`the engine host exited (code ${code}) before it was ready`));
    for (const answer of pending.values()) answer({ error: 'the engine host has exited', status: 500 });
    pending.clear();
    closed?.();
  });

  return {
    ready,
    invoke(command, args) {
      if (exited) return Promise.resolve({ error: 'the engine host has exited', status: 500 });
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        port.send({ type: 'invoke', id, command, args });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (exited) return Promise.resolve();
      return new Promise<void>((resolve) => {
        closed = resolve;
        port.send({ type: 'close' });
      });
    },
  };
}
