import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

const wrapped = new WeakSet<tf.KernelFunc>();

/** XNNPACK's broadcasting binary operators take at most this many dimensions. */
const MAX_BROADCAST_RANK = 6;

/**
 * The wasm Tile (tfjs 4.22) computes every output index generically and is ~5x slower than a
 * broadcasting multiply; tfjs-core's batchNorm gradient tiles per-channel statistics to the full
 * activation shape, which made Tile a fifth of a ResNet training step. For float32 this wraps the
 * native kernel: tile(x, reps) = x (as [1, d0, 1, d1, ...]) * ones([r0, 1, r1, 1, ...]), reshaped,
 * which is exact (x * 1 === x, NaN and -0 included). Other dtypes go to the native kernel.
 */
export function fastWasmTile(native: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(native.kernelFunc)) return native;
  const kernelFunc = ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    const plan = broadcastPlan(x.shape, reps);
    if (x.dtype !== 'float32' || plan === null) {
      return native.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    const outShape = x.shape.map((d, i) => d * reps[i]);
    return tf.tidy(() => tf.reshape(tf.mul(tf.reshape(asTensor(x), plan.x), tf.ones(plan.ones)), outShape));
  }) as tf.KernelFunc;
  wrapped.add(kernelFunc);
  return { ...native, kernelFunc };
}

/**
 * Shapes for x and for the ones tensor whose broadcast product is tile(x, reps), with runs of
 * repeated (or of copied) dimensions merged so the rank stays small; null if still too high.
 */
export function broadcastPlan(
  shape: readonly number[],
  reps: readonly number[],
): { x: number[]; ones: number[] } | null {
  const x: number[] = [];
  const ones: number[] = [];
  let last: 'rep' | 'data' | null = null;
  const push = (kind: 'rep' | 'data', size: number) => {
    if (size === 1) return;
    if (last === kind) {
      if (kind === 'rep') ones[ones.length - 1] *= size;
      else x[x.length - 1] *= size;
      return;
    }
    x.push(kind === 'rep' ? 1 : size);
    ones.push(kind === 'rep' ? size : 1);
    last = kind;
  };
  shape.forEach((d, i) => {
    push('rep', reps[i]);
    push('data', d);
  });
  if (x.length === 0) return { x: [1], ones: [1] };
  return x.length <= MAX_BROADCAST_RANK ? { x, ones } : null;
}
