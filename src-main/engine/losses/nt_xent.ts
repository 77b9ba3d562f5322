import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { crossEntropy, l2Normalize, maskDiagonal } from './common';
import { defineLoss, float, positive } from './loss-description';

/**
 * NT-Xent (SimCLR, Chen et al. 2020, Eq. 1; also WCL's instance head). Z = normalize([z1; z2]);
 * logits = Z Zᵀ/τ without the diagonal; the positive of row i is row i ± N; CE over all 2N rows.
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const n = z1.shape[0];
    const z = l2Normalize(tf.concat([z1, z2], 0));
    const logits = maskDiagonal(tf.div(tf.matMul(z, z, false, true), temperature));
    const targets = tf.concat([tf.range(n, 2 * n, 1, 'int32'), tf.range(0, n, 1, 'int32')]) as tf.Tensor1D;
    return crossEntropy(logits, targets);
  });
}

export const ntXentDescription = defineLoss({
  name: 'nt_xent',
  title: 'NT-Xent: normalised-temperature cross-entropy over 2N views',
  methods: ['SimCLR v1', 'SimCLR v2', 'WCL (instance head)'],
  fn: ntXentLoss,
  params: z.object({ temperature: positive }),
  inputs: { z1: float('N', 'D'), z2: float('N', 'D') },
  compute: (t, p) => ({ loss: ntXentLoss(t.z1, t.z2, p.temperature) }),
});
