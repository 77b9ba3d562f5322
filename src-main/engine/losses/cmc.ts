import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { arangeTargets, crossEntropy, l2Normalize } from './common';
import { defineLoss, float, positive } from './loss-description';

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

export const cmcDescription = defineLoss({
  name: 'cmc',
  title: 'Two-view contrastive multiview coding with in-batch negatives',
  methods: ['CMC'],
  fn: cmcLoss,
  params: z.object({ temperature: positive }),
  inputs: { view_a: float('N', 'D'), view_b: float('N', 'D') },
  compute: (t, p) => ({ loss: cmcLoss(t.view_a, t.view_b, p.temperature) }),
});
