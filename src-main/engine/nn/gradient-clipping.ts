import * as tf from '@tensorflow/tfjs-core';

/**
 * Clips each gradient to L2 norm `maxNorm` on its own, as DINO does (Caron et al. 2021, released
 * `utils.clip_gradients`: g ← g · maxNorm / (‖g‖ + 1e-6) where that factor is below 1), unlike
 * torch's clip_grad_norm_, which scales all gradients by one global norm. Returns new tensors, one per
 * gradient, for the caller to dispose; a gradient already within the norm comes back unchanged in value.
 */
export function clipGradientsPerParameter(grads: readonly tf.Tensor[], maxNorm: number): tf.Tensor[] {
  return tf.tidy(() =>
    grads.map((g) => {
      const coefficient = tf.minimum(tf.div(maxNorm, tf.add(tf.norm(g), 1e-6)), 1);
      return tf.mul(g, coefficient);
    }),
  );
}
