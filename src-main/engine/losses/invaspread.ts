import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, maskDiagonal, stopGradient } from './common';
import { defineLoss, float, positive } from './loss-description';

/** Largest probability fed to log(1 − P), so a saturated negative gives a large finite loss instead of −∞. */
const MAX_NEG_PROB = 1 - 1e-7;

/**
 * Invariant and Spreading instance feature loss (Ye et al. 2019, Eq. 2–5), exactly as the authors' released
 * `BatchCriterion`: x = normalize([f; fAug]) gives 2N anchors; the positive of a is its other view a'; every inner
 * product x_a·x_j carries gradient only through the anchor x_a (the code uses x·(x.data)ᵀ);
 * P_aj = exp(x_a·x_j/τ) / Σ_{j≠a} exp(x_a·x_j/τ);
 * loss = −(Σ_a log P_aa' + Σ_a Σ_{j∉{a,a'}} log(1 − P_aj)) / 2N.
 */
export function invaSpreadLoss(f: tf.Tensor2D, fAug: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const n = f.shape[0];
    const m = 2 * n;
    const x = l2Normalize(tf.concat([f, fAug], 0));
    const logits = maskDiagonal(
      tf.div(tf.matMul(x, stopGradient(x), false, true), temperature) as tf.Tensor2D,
    );
    const logP = tf.logSoftmax(logits, 1);
    const partner = tf.concat([tf.range(n, m, 1, 'int32'), tf.range(0, n, 1, 'int32')]) as tf.Tensor1D;
    const posMask = tf.oneHot(partner, m);
    const negMask = tf.sub(tf.sub(1, posMask), tf.eye(m));
    const posTerm = tf.sum(tf.mul(posMask, logP));
    const negLog = tf.log1p(tf.neg(tf.minimum(tf.exp(logP), MAX_NEG_PROB)));
    const negTerm = tf.sum(tf.mul(negMask, negLog));
    return tf.div(tf.neg(tf.add(posTerm, negTerm)), m) as tf.Scalar;
  });
}

export const invaSpreadDescription = defineLoss({
  name: 'invaspread',
  title: 'Invariant and spreading instance features (anchor-only gradients)',
  methods: ['InvaSpread'],
  fn: invaSpreadLoss,
  params: z.object({ temperature: positive }),
  inputs: { f: float('N', 'D'), f_aug: float('N', 'D') },
  compute: (t, p) => ({ loss: invaSpreadLoss(t.f, t.f_aug, p.temperature) }),
});
