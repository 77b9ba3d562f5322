import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';

import { registerWasmKernels } from './kernels';

let pathsSet = false;

const require = createRequire(import.meta.url);

/** The installed tfjs-backend-wasm package folder. */
function wasmPackageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** Directory holding the .wasm binaries; under Node they are read from disk, not fetched. */
function wasmDistDir(): string {
  return path.join(wasmPackageDir(), 'dist') + path.sep;
}

/** Environment variable that sets the number of XNNPACK threads (1: the single-threaded build). */
export const WASM_THREADS_ENV = 'CONTRASTLAB_WASM_THREADS';

/** tfjs-backend-wasm's threadpool takes at most this many threads (its C++ cap). */
const MAX_WASM_THREADS = 8;

/**
 * Threads to ask for: CONTRASTLAB_WASM_THREADS when set to a positive integer, otherwise every core
 * this process may use.
 */
export function requestedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[WASM_THREADS_ENV];
  const n = raw === undefined || raw.trim() === '' ? os.availableParallelism() : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${WASM_THREADS_ENV} must be a positive integer, got '${raw}'`);
  }
  return Math.min(n, MAX_WASM_THREADS);
}

/**
 * Initialises the wasm backend with the project's kernels and makes it current. Returns the thread
 * count and whether SIMD is on, or throws when it cannot start (e.g. a .wasm file is missing).
 * With more than one thread requested it starts tfjs's threaded build (see startThreaded), and falls
 * back to the single-threaded one when that fails.
 */
export async function startWasm(): Promise<{ simd: boolean; threads: number }> {
  registerWasmKernels();
  if (!pathsSet) {
    try {
      setWasmPaths(wasmDistDir());
    } catch {
      // Someone initialised wasm before us with their own paths; those evidently work.
    }
    pathsSet = true;
  }
  const threads = requestedWasmThreads();
  let ok = false;
  if (threads > 1 && !wasmInitialised()) {
    ok = await startThreaded(threads).catch(() => false);
    if (!ok) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!ok) ok = await withoutEmscriptenHandlers(() => tf.setBackend('wasm'));
  if (!ok) throw new Error('the wasm backend failed to initialise (see the warning above)');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  let actual = 1;
  try {
    actual = Math.max(1, getThreadsCount());
  } catch {
    // Not initialised through this copy of the package; single-threaded is the Node default.
  }
  return { simd: simd === true, threads: actual };
}

/**
 * Whether the wasm backend already runs in this process (its build, threaded or not, is then fixed).
 * Not tf.findBackend, which would start initialising it.
 */
function wasmInitialised(): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined;
}

/**
 * Starts tfjs-backend-wasm's threaded SIMD build under Node with `threads` XNNPACK threads. tfjs 4.22
 * ships that build but switches it off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there,
 * tfjs#3830), and three things stop it from simply being switched on:
 *  1. emscripten starts its pthreads with `new Worker(url)` on a blob: URL of the worker script, which
 *     node:worker_threads cannot load. `Worker` below is a worker_threads Worker that runs the same
 *     script (the package's wasm-out/…worker.js) from source instead.
 *  2. The first message to each worker ('load') carries the main script as a Blob, which the worker
 *     would also read through a blob: URL; PthreadWorker swaps in the package's file of that script.
 *  3. The C++ side caps the pool at emscripten_num_logical_cores() / 2 (it assumes two hardware
 *     threads per core), i.e. 1 on a 2-core machine. That count is os.cpus().length under Node, so
 *     os.cpus reports each core twice while the module initialises.
 * The module assigns its own global Worker while it initialises; a getter keeps ours in place until
 * it is done. XNNPACK's worker threads are unref'd so that they do not keep a finished process alive.
 */
async function startThreaded(threads: number): Promise<boolean> {
  const pkg = wasmPackageDir();
  const workerScript = (
    require(path.join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
      wasmWorkerContents: string;
    }
  ).wasmWorkerContents;
  const mainScript = path.join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');

  class PthreadWorker extends NodeWorker {
    constructor() {
      // The script is a template literal whose '\n' escapes became newlines (tfjs escapes them too).
      super(workerScript.replace(/\n/g, '\\n'), { eval: true });
    }

    override postMessage(message: unknown, transfer?: Parameters<NodeWorker['postMessage']>[1]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m?.cmd === 'load' && typeof m.urlOrBlob !== 'string') message = { ...m, urlOrBlob: mainScript };
      super.postMessage(message, transfer);
    }
  }

  const g = globalThis as { Worker?: unknown };
  const savedWorker = Object.getOwnPropertyDescriptor(g, 'Worker');
  const cpus = os.cpus;
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  os.cpus = () => {
    const list = cpus.call(os);
    return [...list, ...list];
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  try {
    const ok = await withoutEmscriptenHandlers(() => tf.setBackend('wasm'));
    if (!ok) return false;
    const module = (tf.backend() as unknown as { wasm: { PThread?: EmscriptenPThread } }).wasm;
    const pool = module.PThread;
    if (!pool) return false;
    // XNNPACK's pool now holds its threads-1 workers; the rest of emscripten's prestarted pool (8)
    // would only hold memory, since nothing else here starts threads.
    for (const w of pool.unusedWorkers.splice(0)) void w.terminate();
    for (const w of pool.runningWorkers) w.unref();
    return true;
  } finally {
    os.cpus = cpus;
    if (savedWorker) Object.defineProperty(g, 'Worker', savedWorker);
    else delete g.Worker;
  }
}

/** The part of emscripten's pthread pool this file touches. */
interface EmscriptenPThread {
  unusedWorkers: NodeWorker[];
  runningWorkers: NodeWorker[];
}

/**
 * The emscripten module installs process handlers that rethrow every uncaught exception and
 * unhandled rejection from inside its minified one-line source, so any later crash prints hundreds
 * of kilobytes of JS. tfjs never calls exit(), which is all those handlers exist for; drop them.
 */
async function withoutEmscriptenHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((e) => new Set(emitter.listeners(e)));
  try {
    return await fn();
  } finally {
    events.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) {
        if (!before[i].has(listener) && /ExitStatus|throw reason/.test(String(listener))) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    });
  }
}
