import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../../src-main/engine/backend';
import { dnnlStatus, setNativeKernelsEnabled } from '../../../src-main/engine/backend/dnnl';

/**
 * Runs `fn` on the given backend and reads its outputs back. Inputs should be built inside `fn` with
 * seeded tf.random* ops: those are generated in JS, so both backends see identical values.
 */
export async function runOn(
  backend: 'cpu' | 'wasm',
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ shapes: number[][]; values: Float32Array[] }> {
  await initBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  const shapes = list.map((t) => t.shape);
  tf.dispose(list);
  return { shapes, values };
}

/** Largest |a - b| relative to the largest |a| (floored at 1, so near-zero outputs compare absolutely). */
export function relativeError(expected: Float32Array, actual: Float32Array): number {
  if (expected.length !== actual.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(expected[i] - actual[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/**
 * Runs `fn` on cpu (the reference) and on wasm, there once with the native kernels (where the addon is
 * built) and once with WebAssembly's own; returns the worst relative error over all outputs and runs.
 */
export async function compareWasmToCpu(fn: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const ref = await runOn('cpu', fn);
  let worst = 0;
  for (const native of dnnlStatus().addon ? [true, false] : [false]) {
    setNativeKernelsEnabled(native);
    try {
      const got = await runOn('wasm', fn);
      expectSameShapes(ref.shapes, got.shapes);
      worst = Math.max(worst, ...ref.values.map((v, i) => relativeError(v, got.values[i])));
    } finally {
      setNativeKernelsEnabled(true);
    }
  }
  return worst;
}

function expectSameShapes(a: number[][], b: number[][]): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`shape mismatch: cpu ${JSON.stringify(a)} vs wasm ${JSON.stringify(b)}`);
  }
}
