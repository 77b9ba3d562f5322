import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';
import type { VulkanKernel } from './kernel';

/** The unary shader's op codes (shaders/unary.comp). */
export const UnaryOp = {
  relu: 0,
  exp: 1,
  log: 2,
  neg: 3,
  sqrt: 4,
  rsqrt: 5,
  square: 6,
  abs: 7,
  sigmoid: 8,
  tanh: 9,
  reciprocal: 10,
  fill: 11,
  intToFloat: 12,
  floatToInt: 13,
  floatToBool: 14,
  copy: 15,
  step: 16,
  logicalNot: 17,
  log1p: 18,
  erf: 19,
  clip: 20,
  rangeFloat: 21,
  rangeInt: 22,
} as const;

const float32Ops: Record<string, number> = {
  [tf.Relu]: UnaryOp.relu,
  [tf.Exp]: UnaryOp.exp,
  [tf.Log]: UnaryOp.log,
  [tf.Neg]: UnaryOp.neg,
  [tf.Sqrt]: UnaryOp.sqrt,
  [tf.Rsqrt]: UnaryOp.rsqrt,
  [tf.Square]: UnaryOp.square,
  [tf.Abs]: UnaryOp.abs,
  [tf.Sigmoid]: UnaryOp.sigmoid,
  [tf.Tanh]: UnaryOp.tanh,
  [tf.Reciprocal]: UnaryOp.reciprocal,
  [tf.Log1p]: UnaryOp.log1p,
  [tf.Erf]: UnaryOp.erf,
};

/** Records one unary-shader dispatch from `x` (or nothing, for a fill) into a new tensor. */
export function runUnary(
  backend: VulkanBackend,
  op: number,
  x: tf.TensorInfo | null,
  shape: number[],
  dtype: tf.DataType,
  value = 0,
  value2 = 0,
): tf.TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  const n = tf.util.sizeFromShape(shape);
  if (n === 0) return out;
  const push = new Uint32Array(4);
  push[0] = op;
  push[1] = n;
  new Float32Array(push.buffer).set([value, value2], 2);
  const input = x ? backend.bufferOf(x) : backend.bufferOf(out); // a fill or a range reads nothing
  backend.shaders.run('unary', [input, backend.bufferOf(out)], push, Shaders.elementGroups(n));
  return out;
}

/** float32 element-wise functions, ReLU's derivative and logical not; other dtypes fall back to the cpu. */
export const unaryKernels: VulkanKernel[] = [
  ...Object.entries(float32Ops).map(([kernelName, op]): VulkanKernel => ({
    kernelName,
    run({ inputs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      return x.dtype === 'float32' ? runUnary(backend, op, x, x.shape, 'float32') : null;
    },
  })),
  {
    kernelName: tf.Step,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { alpha } = attrs as unknown as tf.StepAttrs;
      return x.dtype === 'float32' ? runUnary(backend, UnaryOp.step, x, x.shape, 'float32', alpha) : null;
    },
  },
  {
    kernelName: tf.ClipByValue,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { clipValueMin, clipValueMax } = attrs as unknown as tf.ClipByValueAttrs;
      if (x.dtype !== 'float32') return null;
      return runUnary(backend, UnaryOp.clip, x, x.shape, 'float32', clipValueMin, clipValueMax);
    },
  },
  {
    kernelName: tf.Range,
    run({ attrs, backend }) {
      const { start, stop, step, dtype } = attrs as unknown as tf.RangeAttrs;
      const n = Math.ceil((stop - start) / step);
      // Empty or backwards ranges, and int32 ones past float32's exact integers, keep tfjs's own rules.
      const exact =
        dtype === 'float32' || [start, stop, step].every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 24);
      if (!(n > 0) || !exact || (dtype !== 'float32' && dtype !== 'int32')) return null;
      const op = dtype === 'float32' ? UnaryOp.rangeFloat : UnaryOp.rangeInt;
      return runUnary(backend, op, null, [n], dtype, start, step);
    },
  },
  {
    kernelName: tf.LogicalNot,
    run({ inputs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      return x.dtype === 'bool' ? runUnary(backend, UnaryOp.logicalNot, x, x.shape, 'bool') : null;
    },
  },
];
