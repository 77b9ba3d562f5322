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
export function workerEntry(name: 'worker' | 'job-worker'): WorkerEntry {
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
