import * as tf from '@tensorflow/tfjs-core';

import { arangeTargets, crossEntropy, l2Normalize } from './common';

/**
 * Two-view CMC with in-batch negatives (Tian et al. 2020, Eq. 2 and the symmetric L(V1,V2) of Eq. 3):
 * L = normalize(a) normalize(b)ᵀ/τ; loss = ½(CE(L, i) + CE(Lᵀ, i)).
 */
export function cmcLoss(viewA: tf.Tensor2D, viewB: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const logits = tf.div(
      tf.matMul(l2Normalize(viewA), l2Normalize(viewB), false, true),
      temperature,
    ) as tf.Tensor2D;
    const targets = arangeTargets(viewA.shape[0]);
    return tf.mul(0.5, tf.add(crossEntropy(logits, targets), crossEntropy(tf.transpose(logits), targets)));
  });
}
