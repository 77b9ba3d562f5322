import * as tf from '@tensorflow/tfjs-core';

import { crossEntropy, l2Normalize, maskDiagonal } from './common';

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
