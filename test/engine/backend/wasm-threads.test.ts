import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { requestedWasmThreads, WASM_THREADS_ENV } from '../../../src-main/engine/backend/wasm';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const child = path.join(import.meta.dirname, 'wasm-threads-child.ts');

/** Runs the workload in a fresh process with the given XNNPACK thread count. */
function runWith(threads: number): Promise<{ threads: number; values: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', tsx, child],
      { env: { ...process.env, [WASM_THREADS_ENV]: String(threads) }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as { threads: number; values: string[] });
      },
    );
  });
}

describe('threaded wasm under Node', () => {
  it('runs XNNPACK on 2 threads and computes bit for bit what 1 thread computes', async () => {
    const [single, threaded] = await Promise.all([runWith(1), runWith(2)]);
    expect(single.threads).toBe(1);
    expect(threaded.threads).toBe(2);
    expect(threaded.values).toHaveLength(single.values.length);
    threaded.values.forEach((v, i) => {
      expect(v.length, `output ${i}`).toBeGreaterThan(100);
      expect(v, `output ${i}`).toBe(single.values[i]);
    });
  });

  it(`reads ${WASM_THREADS_ENV}: unset means every core, a positive integer that many (at most 8)`, () => {
    expect(requestedWasmThreads({})).toBeGreaterThanOrEqual(1);
    expect(requestedWasmThreads({ [WASM_THREADS_ENV]: '1' })).toBe(1);
    expect(requestedWasmThreads({ [WASM_THREADS_ENV]: '3' })).toBe(3);
    expect(requestedWasmThreads({ [WASM_THREADS_ENV]: '64' })).toBe(8);
    expect(() => requestedWasmThreads({ [WASM_THREADS_ENV]: 'two' })).toThrow(WASM_THREADS_ENV);
    expect(() => requestedWasmThreads({ [WASM_THREADS_ENV]: '0' })).toThrow(WASM_THREADS_ENV);
  });
});
