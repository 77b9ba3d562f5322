import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK, Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';
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
  [tf.Pow]: 13,
};

/** Ops that also take two int32 tensors (giving int32, or bool for comparisons): the shader's op + 32. */
const INT32 = 32;
const int32Ops = new Set([0, 1, 2, 4, 5, 7, 8, 9, 10, 11, 12]);

/** Logical ops of two bool tensors. */
const logical: Record<string, number> = {
  [tf.LogicalAnd]: 14,
  [tf.LogicalOr]: 15,
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

/** The shader op for these operands, with the output's dtype; null where the shader has none. */
function opFor(
  op: number,
  comparison: boolean,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): { op: number; dtype: tf.DataType } | null {
  if (a.dtype !== b.dtype) return null;
  if (op === logical[tf.LogicalAnd] || op === logical[tf.LogicalOr]) {
    return a.dtype === 'bool' ? { op, dtype: 'bool' } : null;
  }
  if (a.dtype === 'float32') return { op, dtype: comparison ? 'bool' : 'float32' };
  if (a.dtype === 'int32' && int32Ops.has(op))
    return { op: op + INT32, dtype: comparison ? 'bool' : 'int32' };
  return null;
}

/** The binary shader's op codes for the kernels that compose it (AddN, Softmax). */
export const BinaryOp = { add: 0, sub: 1, div: 3 } as const;

/**
 * Records `a (op) b` with NumPy broadcasting into a new tensor; null where the shader has no such op for
 * these dtypes or ranks.
 */
export function runBinary(
  backend: VulkanBackend,
  shaderOp: number,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  comparison = false,
): tf.TensorInfo | null {
  const chosen = opFor(shaderOp, comparison, a, b);
  if (!chosen) return null;
  const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  if (shape.length > MAX_RANK) return null;
  const out = backend.makeOutput(shape, chosen.dtype);
  const n = tf.util.sizeFromShape(shape);
  if (n === 0) return out;
  const push = [
    chosen.op,
    n,
    shape.length,
    ...padded(shape, MAX_RANK, 1),
    ...padded(broadcastStrides(a.shape, shape), MAX_RANK),
    ...padded(broadcastStrides(b.shape, shape), MAX_RANK),
  ];
  const buffers = [backend.bufferOf(a), backend.bufferOf(b), backend.bufferOf(out)];
  backend.shaders.run('binary', buffers, Uint32Array.from(push), Shaders.elementGroups(n));
  return out;
}

/**
 * Element-wise arithmetic, comparisons and logic with NumPy broadcasting: float32, the integer ops on
 * int32, logical ones on bool; other dtypes fall back. AddN sums its inputs pairwise.
 */
export const binaryKernels: VulkanKernel[] = [
  ...[
    ...Object.entries(ops).map(([name, op]) => [name, op, false] as const),
    ...Object.entries(comparisons).map(([name, op]) => [name, op, true] as const),
    ...Object.entries(logical).map(([name, op]) => [name, op, true] as const),
  ].map(([kernelName, shaderOp, comparison]): VulkanKernel => ({
    kernelName,
    run({ inputs, backend }) {
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      return runBinary(backend, shaderOp, a, b, comparison);
    },
  })),
  {
    kernelName: tf.AddN,
    run({ inputs, backend }) {
      const all = inputs as unknown as tf.TensorInfo[];
      const dtype = all[0]?.dtype;
      if (
        all.length < 2 ||
        all.some((t) => t.dtype !== dtype || !tf.util.arraysEqual(t.shape, all[0]!.shape))
      )
        return null;
      let sum = runBinary(backend, BinaryOp.add, all[0]!, all[1]!);
      for (const next of all.slice(2)) {
        if (!sum) return null;
        const partial: tf.TensorInfo = sum;
        sum = runBinary(backend, BinaryOp.add, partial, next);
        backend.disposeIntermediateTensorInfo(partial);
      }
      return sum;
    },
  },
];

/** An operand's strides along each dimension of the broadcast shape: 0 where it is repeated. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((size, d) => {
    const i = d - offset;
    return i < 0 || (shape[i] === 1 && size !== 1) ? 0 : own[i]!;
  });
}
