import * as tf from '@tensorflow/tfjs-core';

import { rowCosine, stopGradient } from './common';
import { defineLoss, float, noParams } from './loss-description';

/**
 * SimSiam loss (Chen & He 2021, Eq. 3 with the stop-gradient of Eq. 4):
 * −½ mean cos(p1, z2) − ½ mean cos(p2, z1); z gets no gradient.
 */
export function simSiamLoss(p1: tf.Tensor2D, p2: tf.Tensor2D, z1: tf.Tensor2D, z2: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const a = tf.mean(rowCosine(p1, stopGradient(z2)));
    const b = tf.mean(rowCosine(p2, stopGradient(z1)));
    return tf.mul(-0.5, tf.add(a, b));
  });
}

export const simSiamDescription = defineLoss({
  name: 'simsiam',
  title: 'Symmetrised negative cosine with stop-gradient',
  methods: ['SimSiam'],
  fn: simSiamLoss,
  params: noParams,
  inputs: { p1: float('N', 'D'), p2: float('N', 'D'), z1: float('N', 'D'), z2: float('N', 'D') },
  stopGradient: ['z1', 'z2'],
  compute: (t) => ({ loss: simSiamLoss(t.p1, t.p2, t.z1, t.z2) }),
});
