import type { ContrastLabApi } from '../api/commands';
import type { Engine, EngineOptions } from '../engine/engine';
import { defaultDatabasePath } from '../engine/store/location';

/** The API of an engine in this process, and how to close that engine. */
export interface EngineSession {
  /** The same API, with the same argument checks, as the renderer has over HTTP or IPC. */
  api: ContrastLabApi;
  /** The engine itself, for the transports `serve` starts. */
  engine: Engine;
  /** Stops the runs this session started and closes the database. */
  close(): Promise<void>;
}

/**
 * An engine on the database named by --db, or the embedded default (CONTRASTLAB_DB overrides).
 * Commands that read a lab pass `create: false`: a path that does not exist is refused, not made.
 * The engine (and with it TensorFlow.js and the methods) is imported here, once a command has parsed its
 * arguments, so `--help` and usage errors answer without loading it.
 */
export async function openApi(db: string | undefined, options: EngineOptions = {}): Promise<EngineSession> {
  const [{ Engine }, { inProcessClient }] = await Promise.all([
    import('../engine/engine'),
    import('../api/in-process'),
  ]);
  const engine = new Engine(db ?? defaultDatabasePath(), options);
  return { api: inProcessClient(engine.api), engine, close: () => engine.close() };
}
