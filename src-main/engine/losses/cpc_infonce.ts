import * as tf from '@tensorflow/tfjs-core';

import { arangeTargets, crossEntropy } from './common';

/**
 * CPC's InfoNCE (van den Oord et al. 2018, Eq. 4) with a bilinear score already applied:
 * logits = predictions targetsᵀ (no normalisation, no temperature), the positive of row i is target i.
 */
export function cpcInfoNceLoss(predictions: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() =>
    crossEntropy(tf.matMul(predictions, targets, false, true), arangeTargets(predictions.shape[0])),
  );
}
