import * as tf from '@tensorflow/tfjs-core';

import { arangeTargets, crossEntropy } from './common';
import { defineLoss, float, noParams } from './loss-description';

/**
 * CPC's InfoNCE (van den Oord et al. 2018, Eq. 4) with a bilinear score already applied:
 * logits = predictions targetsᵀ (no normalisation, no temperature), the positive of row i is target i.
 */
export function cpcInfoNceLoss(predictions: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() =>
    crossEntropy(tf.matMul(predictions, targets, false, true), arangeTargets(predictions.shape[0])),
  );
}

export const cpcInfoNceDescription = defineLoss({
  name: 'cpc_infonce',
  title: 'InfoNCE of predicted against actual future codes',
  methods: ['CPC'],
  fn: cpcInfoNceLoss,
  params: noParams,
  inputs: { predictions: float('M', 'D'), targets: float('M', 'D') },
  compute: (t) => ({ loss: cpcInfoNceLoss(t.predictions, t.targets) }),
});
