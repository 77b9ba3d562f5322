import * as tf from '@tensorflow/tfjs-core';

/**
 * One SGD step of one parameter as torch.optim.SGD takes it (momentum μ, coupled L2 weight decay λ,
 * learning rate η): v ← μv + (g + λw); w ← w − η·v, or with Nesterov momentum (Sutskever et al. 2013,
 * in torch's form) w ← w − η·(g + λw + μv) with the new v. Six or eight tfjs ops; one kernel on a backend that has it
 * (vulkan: one dispatch instead of six, in a step of one update per parameter tensor).
 */
export const SgdUpdate = 'ContrastLabSgdUpdate';

export interface SgdUpdateAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/** The updated parameter and momentum buffer, [w, v]; the caller assigns them. */
export function sgdUpdate(
  w: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  attrs: SgdUpdateAttrs,
): [tf.Tensor, tf.Tensor] {
  const fused = tf.getKernel(SgdUpdate, tf.getBackend()) !== undefined;
  const alike = [v, g].every((t) => tf.util.arraysEqual(t.shape, w.shape));
  if (fused && alike && [w, v, g].every((t) => t.dtype === 'float32')) {
    const [wNext, vNext] = tf
      .engine()
      .runKernel(SgdUpdate, { w, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return [wNext!, vNext!];
  }
  return tf.tidy(() => {
    const decayed = attrs.weightDecay > 0 ? tf.add(g, tf.mul(w, attrs.weightDecay)) : g;
    const vNext = tf.add(tf.mul(v, attrs.momentum), decayed);
    const step = attrs.nesterov ? tf.add(decayed, tf.mul(vNext, attrs.momentum)) : vNext;
    return [tf.sub(w, tf.mul(step, attrs.lr)), vNext];
  });
}
