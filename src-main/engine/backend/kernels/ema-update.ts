import * as tf from '@tensorflow/tfjs-core';

/**
 * A target tensor moved toward its online tensor by `rate` = 1 − m: t + rate·(o − t), the momentum
 * update of MoCo's key encoder, BYOL's target and DINO's teacher (nn/momentum.ts). Three tfjs ops; one
 * kernel on a backend that has it (vulkan: one dispatch per tensor of the target).
 */
export const EmaUpdate = 'ContrastLabEmaUpdate';

export interface EmaUpdateAttrs {
  rate: number;
}

export function emaUpdate(target: tf.Tensor, online: tf.Tensor, rate: number): tf.Tensor {
  const fused = tf.getKernel(EmaUpdate, tf.getBackend()) !== undefined;
  const alike = tf.util.arraysEqual(target.shape, online.shape);
  if (fused && alike && target.dtype === 'float32' && online.dtype === 'float32') {
    const attrs: EmaUpdateAttrs = { rate };
    return tf
      .engine()
      .runKernel(EmaUpdate, { target, online }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.tidy(() => tf.add(target, tf.mul(tf.sub(online, target), rate)));
}
