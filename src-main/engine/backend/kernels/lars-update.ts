import * as tf from '@tensorflow/tfjs-core';

/**
 * One LARS step of one weight tensor (You et al. 2017, Algorithm 1, as SimCLR, BYOL and SwAV use it;
 * nn/optimizers.ts Lars): g ← g + λw; g ← g·η‖w‖/‖g‖ (the trust ratio, 1 where either norm is 0);
 * v ← μv + g; w ← w − lr·v. Eighteen tfjs ops; a kernel on a backend that has it (vulkan: two
 * dispatches, the norms' partial sums and then the update). Biases and batch-norm parameters take
 * the plain momentum step instead (sgdUpdate without decay).
 */
export const LarsUpdate = 'ContrastLabLarsUpdate';

export interface LarsUpdateAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  trustCoefficient: number;
}

/** The updated parameter and momentum buffer, [w, v]; the caller assigns them. */
export function larsUpdate(
  w: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  a: LarsUpdateAttrs,
): [tf.Tensor, tf.Tensor] {
  const fused = tf.getKernel(LarsUpdate, tf.getBackend()) !== undefined;
  const alike = [v, g].every((t) => tf.util.arraysEqual(t.shape, w.shape));
  if (fused && alike && [w, v, g].every((t) => t.dtype === 'float32')) {
    const out = tf
      .engine()
      .runKernel(LarsUpdate, { w, v, g }, a as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return [out[0]!, out[1]!];
  }
  return tf.tidy(() => {
    const decayed = tf.add(g, tf.mul(w, a.weightDecay));
    const wNorm = tf.norm(w);
    const gNorm = tf.norm(decayed);
    const trust = tf.where(
      tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0)),
      tf.div(tf.mul(wNorm, a.trustCoefficient), gNorm),
      tf.scalar(1),
    );
    const vNext = tf.add(tf.mul(v, a.momentum), tf.mul(decayed, trust));
    return [tf.sub(w, tf.mul(vNext, a.lr)), vNext];
  });
}
