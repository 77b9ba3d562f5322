import * as tf from '@tensorflow/tfjs-core';

/**
 * a·α + b·β for two tensors of one shape and two numbers: a running average's update, such as batch
 * norm's running statistics (nn/layers.ts). Three tfjs ops; one kernel on a backend that has it
 * (vulkan: one dispatch, rounding each product and the sum as those ops do).
 */
export const ScaledSum = 'ContrastLabScaledSum';

export interface ScaledSumAttrs {
  alpha: number;
  beta: number;
}

export function scaledSum(a: tf.Tensor, alpha: number, b: tf.Tensor, beta: number): tf.Tensor {
  const fused = tf.getKernel(ScaledSum, tf.getBackend()) !== undefined;
  const sameShape = tf.util.arraysEqual(a.shape, b.shape);
  if (fused && sameShape && a.dtype === 'float32' && b.dtype === 'float32') {
    const attrs: ScaledSumAttrs = { alpha, beta };
    return tf.engine().runKernel(ScaledSum, { a, b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.tidy(() => tf.add(tf.mul(a, alpha), tf.mul(b, beta)));
}
