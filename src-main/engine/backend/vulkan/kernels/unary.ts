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
};

/** Records one unary-shader dispatch from `x` (or nothing, for a fill) into a new tensor. */
export function runUnary(
  backend: VulkanBackend,
  op: number,
  x: tf.TensorInfo | null,
  shape: number[],
  dtype: tf.DataType,
  value = 0,
): tf.TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  const n = tf.util.sizeFromShape(shape);
  if (n === 0) return out;
  const push = new Uint32Array(3);
  push[0] = op;
  push[1] = n;
  new Float32Array(push.buffer)[2] = value;
  const input = x ? backend.bufferOf(x) : backend.bufferOf(out); // a fill reads nothing
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
    kernelName: tf.LogicalNot,
    run({ inputs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      return x.dtype === 'bool' ? runUnary(backend, UnaryOp.logicalNot, x, x.shape, 'bool') : null;
    },
  },
];
