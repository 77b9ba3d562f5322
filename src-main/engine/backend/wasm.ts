import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

import { registerWasmKernels } from './kernels';

let pathsSet = false;

/** Directory holding the .wasm binaries; under Node they are read from disk, not fetched. */
function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return (
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep
  );
}

/**
 * Initialises the wasm backend with the project's kernels and makes it current. Returns the thread
 * count and whether SIMD is on, or throws when it cannot start (e.g. a .wasm file is missing).
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
  const ok = await withoutEmscriptenHandlers(() => tf.setBackend('wasm'));
  if (!ok) throw new Error('the wasm backend failed to initialise (see the warning above)');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  let threads = 1;
  try {
    threads = Math.max(1, getThreadsCount());
  } catch {
    // Not initialised through this copy of the package; single-threaded is the Node default.
  }
  return { simd: simd === true, threads };
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
