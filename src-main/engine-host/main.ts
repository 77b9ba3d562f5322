/**
 * The engine host process (docs/ARCHITECTURE.md, "Processes"): Electron's main process starts this file
 * as a utilityProcess (a Node child process in tests) so that nothing the engine computes (PCA,
 * retrieval scoring, dataset loading) can freeze the window. It opens the database named by `--db`,
 * serves the API over the process's message port and exits once asked to close or when its parent goes.
 *
 *   engine-host --db FILE [--sqlite-binding FILE]
 */
import { parseArgs } from 'node:util';
import { Engine } from '../engine/engine';
import { serveApi, type FromHost, type HostPort, type ToHost } from '../transports/ipc/host-channel';

/** Electron's utilityProcess gives the child `process.parentPort`; a Node fork has process.send. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function parentPort(): HostPort<ToHost, FromHost> {
  const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (m, sent) => {
        electronPort.postMessage(m);
        if (sent) setImmediate(sent);
      },
      onMessage: (listener) => electronPort.on('message', (e) => listener(e.data as ToHost)),
    };
  }
  if (!process.send)
    throw new Error('the engine host must be started by a parent process with an IPC channel');
  return {
    send: (m, sent) => process.send!(m, undefined, undefined, () => sent?.()),
    onMessage: (listener) => process.on('message', (m) => listener(m as ToHost)),
  };
}

/** Sends a last message, then exits once it is on its way. */
function failAndExit(port: HostPort<ToHost, FromHost>, error: string, code: number): void {
  port.send({ type: 'failed', error }, () => process.exit(code));
}

function main(): void {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, 'sqlite-binding': { type: 'string' } },
  });
  const port = parentPort();
  if (!values.db) {
    return failAndExit(port, 'the engine host needs --db FILE', 2);
  }
  let engine: Engine;
  try {
    engine = new Engine(values.db, {
      watch: true,
      autoResume: true,
      nativeBinding: values['sqlite-binding'],
    });
  } catch (e) {
    return failAndExit(port, (e as Error).message, 1);
  }
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= engine.close());
  serveApi(engine.api, port, close, () => process.exit(0));
  // The parent went away without asking (crashed, killed): stop the runs and leave.
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
}

main();
