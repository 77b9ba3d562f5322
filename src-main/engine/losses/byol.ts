import * as tf from '@tensorflow/tfjs-core';

import { rowCosine, stopGradient } from './common';
import { defineLoss, float, noParams } from './loss-description';

/**
 * BYOL regression loss (Grill et al. 2020, Eq. 2, symmetrised as in Eq. 3):
 * mean(2 − 2cos(p1, z2)) + mean(2 − 2cos(p2, z1)); the target projections z get no gradient.
 */
export function byolLoss(p1: tf.Tensor2D, p2: tf.Tensor2D, z1: tf.Tensor2D, z2: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const term = (p: tf.Tensor2D, z: tf.Tensor2D) =>
      tf.mean(tf.sub(2, tf.mul(2, rowCosine(p, stopGradient(z)))));
    return tf.add(term(p1, z2), term(p2, z1));
  });
}

export const byolDescription = defineLoss({
  name: 'byol',
  title: 'Symmetrised normalised-MSE regression onto target projections',
  methods: ['BYOL'],
  fn: byolLoss,
  params: noParams,
  inputs: { p1: float('N', 'D'), p2: float('N', 'D'), z1: float('N', 'D'), z2: float('N', 'D') },
  stopGradient: ['z1', 'z2'],
  compute: (t) => ({ loss: byolLoss(t.p1, t.p2, t.z1, t.z2) }),
});
