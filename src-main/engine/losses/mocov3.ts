import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { arangeTargets, crossEntropy, l2Normalize, stopGradient } from './common';
import { defineLoss, float, positive } from './loss-description';

/**
 * MoCo v3 contrastive term (Chen, Xie & He 2021, Alg. 1): ctr(q, k) = 2τ · CE(normalize(q) normalize(k)ᵀ/τ, i),
 * keys from the momentum encoder without gradient. The 2τ factor is the paper's gradient-scale convention.
 */
export function mocoV3Contrastive(q: tf.Tensor2D, k: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const qn = l2Normalize(q);
    const kn = stopGradient(l2Normalize(k));
    const logits = tf.div(tf.matMul(qn, kn, false, true), temperature) as tf.Tensor2D;
    return tf.mul(crossEntropy(logits, arangeTargets(q.shape[0])), 2 * temperature);
  });
}

/** Symmetrised MoCo v3 loss: ctr(q1, k2) + ctr(q2, k1). */
export function mocoV3Loss(
  q1: tf.Tensor2D,
  q2: tf.Tensor2D,
  k1: tf.Tensor2D,
  k2: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() =>
    tf.add(mocoV3Contrastive(q1, k2, temperature), mocoV3Contrastive(q2, k1, temperature)),
  );
}

export const mocoV3Description = defineLoss({
  name: 'mocov3',
  title: 'Symmetrised in-batch InfoNCE against momentum keys, scaled by 2τ',
  methods: ['MoCo v3'],
  fn: mocoV3Loss,
  params: z.object({ temperature: positive }),
  inputs: { q1: float('N', 'D'), q2: float('N', 'D'), k1: float('N', 'D'), k2: float('N', 'D') },
  stopGradient: ['k1', 'k2'],
  compute: (t, p) => ({ loss: mocoV3Loss(t.q1, t.q2, t.k1, t.k2, p.temperature) }),
});
