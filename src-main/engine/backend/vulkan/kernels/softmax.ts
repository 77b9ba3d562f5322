import * as tf from '@tensorflow/tfjs-core';

import { BinaryOp, runBinary } from './binary';
import type { VulkanKernel } from './kernel';
import { reduceRows, ReduceOp } from './reduce-rows';
import { runUnary, UnaryOp } from './unary';

/**
 * Softmax over the last axis, as tfjs's cpu kernel computes it: exp(x − max) / Σ exp(x − max), composed
 * of the reduce, binary and unary shaders (five dispatches).
 */
export const softmaxKernel: VulkanKernel = {
  kernelName: tf.Softmax,
  run({ inputs, attrs, backend }) {
    const { logits } = inputs as { logits: tf.TensorInfo };
    const { dim } = attrs as unknown as tf.SoftmaxAttrs;
    const rank = logits.shape.length;
    if (logits.dtype !== 'float32' || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
    const cols = logits.shape[rank - 1]!;
    const rows = tf.util.sizeFromShape(logits.shape) / cols;
    if (rows === 0 || cols === 0) return null;
    const rowShape = [...logits.shape.slice(0, -1), 1];
    const rowMax = backend.makeOutput(rowShape, 'float32');
    reduceRows(backend, ReduceOp.max, backend.bufferOf(logits), backend.bufferOf(rowMax), rows, cols);
    const shifted = runBinary(backend, BinaryOp.sub, logits, rowMax)!;
    const exps = runUnary(backend, UnaryOp.exp, shifted, shifted.shape, 'float32');
    const rowSum = backend.makeOutput(rowShape, 'float32');
    reduceRows(backend, ReduceOp.sum, backend.bufferOf(exps), backend.bufferOf(rowSum), rows, cols);
    const out = runBinary(backend, BinaryOp.div, exps, rowSum)!;
    for (const t of [rowMax, shifted, exps, rowSum]) backend.disposeIntermediateTensorInfo(t);
    return out;
  },
};
