import * as tf from '@tensorflow/tfjs-core';

/**
 * One AdamW step of one parameter (Loshchilov & Hutter 2019, Algorithm 2; nn/optimizers.ts AdamW):
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  w ← w·(1 − η·λ) − η·(m/c₁) / (√(v/c₂) + ε)
 * with the bias corrections c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ. Eleven tfjs ops; one kernel on a backend that
 * has it (vulkan: one dispatch per parameter tensor).
 */
export const AdamWUpdate = 'ContrastLabAdamWUpdate';

export interface AdamWUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** λ, 0 for a parameter exempt from decay. */
  weightDecay: number;
  /** The bias corrections c₁, c₂ of this step. */
  correction1: number;
  correction2: number;
}

/** The updated parameter and moments, [w, m, v]; the caller assigns them. */
export function adamWUpdate(
  w: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  a: AdamWUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const fused = tf.getKernel(AdamWUpdate, tf.getBackend()) !== undefined;
  const alike = [m, v, g].every((t) => tf.util.arraysEqual(t.shape, w.shape));
  if (fused && alike && [w, m, v, g].every((t) => t.dtype === 'float32')) {
    const out = tf
      .engine()
      .runKernel(AdamWUpdate, { w, m, v, g }, a as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return [out[0]!, out[1]!, out[2]!];
  }
  return tf.tidy(() => {
    const mNext = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const vNext = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
    const update = tf.div(
      tf.div(mNext, a.correction1),
      tf.add(tf.sqrt(tf.div(vNext, a.correction2)), a.epsilon),
    );
    const wNext = tf.sub(tf.mul(w, 1 - a.lr * a.weightDecay), tf.mul(update, a.lr));
    return [wNext, mNext, vNext];
  });
}
