import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK, Shaders } from '../pipelines';
import { padded, stridesOf, type VulkanKernel } from './kernel';

/** The binary shader's op codes (shaders/binary.comp). */
const ops: Record<string, number> = {
  [tf.Add]: 0,
  [tf.Sub]: 1,
  [tf.Multiply]: 2,
  [tf.RealDiv]: 3,
  [tf.Maximum]: 4,
  [tf.Minimum]: 5,
  [tf.SquaredDifference]: 6,
};

/** Comparisons of two float32 tensors, to a bool tensor. */
const comparisons: Record<string, number> = {
  [tf.Greater]: 7,
  [tf.GreaterEqual]: 8,
  [tf.Less]: 9,
  [tf.LessEqual]: 10,
  [tf.Equal]: 11,
  [tf.NotEqual]: 12,
};

/** Element-wise float32 arithmetic and comparisons with NumPy broadcasting; other dtypes fall back. */
export const binaryKernels: VulkanKernel[] = [
  ...Object.entries(ops).map(([name, op]) => [name, op, 'float32'] as const),
  ...Object.entries(comparisons).map(([name, op]) => [name, op, 'bool'] as const),
].map(([kernelName, op, outDtype]) => ({
  kernelName,
  run({ inputs, backend }) {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (shape.length > MAX_RANK) return null;
    const out = backend.makeOutput(shape, outDtype);
    const n = tf.util.sizeFromShape(shape);
    if (n === 0) return out;
    const push = [
      op,
      n,
      shape.length,
      ...padded(shape, MAX_RANK, 1),
      ...padded(broadcastStrides(a.shape, shape), MAX_RANK),
      ...padded(broadcastStrides(b.shape, shape), MAX_RANK),
    ];
    const buffers = [backend.bufferOf(a), backend.bufferOf(b), backend.bufferOf(out)];
    backend.shaders.run('binary', buffers, Uint32Array.from(push), Shaders.elementGroups(n));
    return out;
  },
}));

/** An operand's strides along each dimension of the broadcast shape: 0 where it is repeated. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((size, d) => {
    const i = d - offset;
    return i < 0 || (shape[i] === 1 && size !== 1) ? 0 : own[i]!;
  });
}
