import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, sameLabelMask, supervisedContrastiveTerm } from './common';
import { defineLoss, float, int, positive } from './loss-description';

/**
 * Supervised contrastive loss (Khosla et al. 2020, Eq. 2, "L_out", as in the released SupConLoss with
 * contrast_mode 'all'). features [N,V,D] are L2-normalised per view; all N·V views are anchors; positives
 * share the label (not itself); denominator over all j ≠ a. loss = (τ/base_temperature) · mean over anchors.
 */
export function supConLoss(
  features: tf.Tensor3D,
  labels: tf.Tensor1D | ArrayLike<number>,
  temperature: number,
  baseTemperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const [n, v, d] = features.shape;
    // View-major stacking, like torch.cat(torch.unbind(features, 1)); the mean over anchors does not care.
    const x = l2Normalize(tf.reshape(tf.transpose(features, [1, 0, 2]), [n * v, d]) as tf.Tensor2D);
    const y =
      labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
    const yAll = tf.tile(y, [v]) as tf.Tensor1D;
    const sim = tf.div(tf.matMul(x, x, false, true), temperature) as tf.Tensor2D;
    const perAnchor = supervisedContrastiveTerm(sim, sameLabelMask(yAll));
    return tf.mul(tf.mean(perAnchor), temperature / baseTemperature);
  });
}

export const supConDescription = defineLoss({
  name: 'supcon',
  title: 'Supervised contrastive loss (L_out) over all views',
  methods: ['SupCon'],
  fn: supConLoss,
  params: z.object({ temperature: positive, base_temperature: positive }),
  inputs: { features: float('N', 'V', 'D'), labels: int('N') },
  compute: (t, p) => ({ loss: supConLoss(t.features, t.labels, p.temperature, p.base_temperature) }),
});
