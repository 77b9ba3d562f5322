import * as tf from '@tensorflow/tfjs-core';

import { batchNormTrain } from '../../../src-main/engine/backend/kernels/batch-norm-train';

/**
 * The fused batch-norm training kernel's outputs and the gradients of Σ w·y with respect to its inputs,
 * on seeded inputs (generated in JS, so identical on every backend). Channels get different scales and
 * all share the offset `offset`, which the statistics must not lose precision to.
 */
export function fusedBatchNormWithGrads(
  shape: number[],
  relu: boolean,
  residual: boolean,
  offset = 1,
): tf.Tensor[] {
  const c = shape[shape.length - 1]!;
  const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1), tf.linspace(0.5, 2, c)), offset);
  const gamma = tf.randomNormal([c], 1, 0.3, 'float32', 2);
  const beta = tf.randomNormal([c], 0, 0.3, 'float32', 3);
  const r = tf.randomNormal(shape, 0, 1, 'float32', 4);
  const w = tf.randomNormal(shape, 0, 1, 'float32', 5);
  const inputs = residual ? [x, gamma, beta, r] : [x, gamma, beta];
  const f = (...ts: tf.Tensor[]) =>
    tf.sum(tf.mul(batchNormTrain(ts[0]!, ts[1]!, ts[2]!, 1e-5, relu, ts[3]).y, w)) as tf.Scalar;
  const { y, mean, variance } = batchNormTrain(x, gamma, beta, 1e-5, relu, residual ? r : undefined);
  return [y, mean, variance, ...tf.grads(f)(inputs)];
}
