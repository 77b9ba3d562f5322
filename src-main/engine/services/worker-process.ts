/** How the engine host starts its worker processes (runs and background jobs). */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

/**
 * A worker's entry (runner/worker: runs, runner/job-worker: background jobs): a built .js file beside
 * the bundle when bundled (electron-vite puts them in out/main/runner/), otherwise the TypeScript source
 * run through tsx.
 */
export function workerEntry(name: 'worker' | 'job-worker' | 'dataset-worker'): WorkerEntry {
  // Bundled, import.meta.url is the bundle's own file (out/main/…), whatever file this code came from.
  const js = fileURLToPath(new URL(`./runner/${name}.js`, import.meta.url));
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return {
    file: fileURLToPath(new URL(`../runner/${name}.ts`, import.meta.url)),
    // Resolved from this file, not the working directory, so `contrastlab` works from any folder.
    execArgv: ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href],
  };
}

/**
 * The environment of a worker process. Under Electron, process.execPath is the Electron binary: it must
 * run the worker as plain Node (fork sets this itself in recent Electron versions; be explicit).
 */
export function workerEnv(): NodeJS.ProcessEnv {
  return process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the system's error codes mean when a worker cannot be spawned. */
const spawnErrors: Record<string, string> = {
  EMFILE: 'this process has too many open files',
  ENFILE: 'the system has too many open files',
  EAGAIN: 'the system has too many processes',
  ENOMEM: 'not enough memory',
  ENOENT: 'the program was not found',
  EACCES: 'permission denied',
};

/** Why a worker process could not be started, as one line: "EMFILE (this process has too many open files): spawn …". */
export function spawnFailure(e: unknown): string {
  const { code, message } = e as NodeJS.ErrnoException;
  const meaning = code ? spawnErrors[code] : undefined;
  return code ? `${code}${meaning ? ` (${meaning})` : ''}: ${message}` : String(message ?? e);
}
