import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, softCrossEntropy, stopGradient } from './common';
import { atLeast, defineLoss, float, positive } from './loss-description';

export interface SwavOptions {
  /** Softmax temperature τ of the swapped prediction. */
  temperature: number;
  /** Entropic regularisation ε of the Sinkhorn-Knopp codes. */
  epsilon: number;
  /** Number of Sinkhorn-Knopp iterations. */
  sinkhornIterations: number;
  /** Views whose codes are predicted from the others (SwAV's crops_for_assign); default [0, 1]. */
  assignViews?: readonly number[];
}

/**
 * Sinkhorn-Knopp codes of SwAV (Caron et al. 2020, Eq. 3 and the released `distributed_sinkhorn`) for
 * prototype scores [N,K]; returns q [N,K] (rows sum to 1) with no gradient. Q = exp(s/ε)ᵀ, Q /= ΣQ;
 * repeat: rows /= row sums, /= K; columns /= column sums, /= N; q = (N·Q)ᵀ. Run in the log domain,
 * which is the same arithmetic but cannot overflow exp(s/ε) for small ε.
 */
export function sinkhornKnopp(scores: tf.Tensor2D, epsilon: number, iterations: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, k] = scores.shape;
    let logQ = tf.transpose(tf.div(stopGradient(scores), epsilon)) as tf.Tensor2D; // [K,N]
    logQ = tf.sub(logQ, tf.logSumExp(logQ));
    for (let it = 0; it < iterations; it++) {
      logQ = tf.sub(logQ, tf.add(tf.logSumExp(logQ, 1, true), Math.log(k)));
      logQ = tf.sub(logQ, tf.add(tf.logSumExp(logQ, 0, true), Math.log(n)));
    }
    return stopGradient(tf.transpose(tf.exp(tf.add(logQ, Math.log(n)))) as tf.Tensor2D);
  });
}

/**
 * SwAV swapped-prediction loss (Caron et al. 2020, Eq. 1–2). views [V,N,D], prototypes [K,D].
 * s_v = normalize(views[v]) normalize(C)ᵀ; for each assignment view s, q_s = Sinkhorn(s_s) (no gradient) and
 * loss_s = mean over v ≠ s of −mean_i Σ_k q_s log softmax(s_v/τ); loss = mean over assignment views of loss_s.
 */
export function swavLoss(views: tf.Tensor3D, prototypes: tf.Tensor2D, options: SwavOptions): tf.Scalar {
  const { temperature, epsilon, sinkhornIterations } = options;
  const assignViews = options.assignViews ?? [0, 1];
  const [numViews, n, d] = views.shape;
  for (const s of assignViews) {
    if (!Number.isInteger(s) || s < 0 || s >= numViews) {
      throw new Error(`swavLoss: assignment view ${s} is out of range for ${numViews} views`);
    }
  }
  if (numViews < 2) throw new Error(`swavLoss: needs at least 2 views, got ${numViews}`);
  return tf.tidy(() => {
    const k = prototypes.shape[0];
    const flat = l2Normalize(tf.reshape(views, [numViews * n, d]) as tf.Tensor2D);
    const scores = tf.reshape(tf.matMul(flat, l2Normalize(prototypes), false, true), [numViews, n, k]);
    const perView = tf.unstack(scores) as tf.Tensor2D[];
    const scaled = perView.map((s) => tf.div(s, temperature) as tf.Tensor2D);
    const terms: tf.Scalar[] = [];
    for (const s of assignViews) {
      const q = sinkhornKnopp(perView[s], epsilon, sinkhornIterations);
      const losses: tf.Scalar[] = [];
      for (let v = 0; v < numViews; v++) {
        if (v !== s) losses.push(softCrossEntropy(q, scaled[v]));
      }
      terms.push(tf.div(tf.addN(losses), losses.length));
    }
    return tf.div(tf.addN(terms), terms.length);
  });
}

export const swavDescription = defineLoss({
  name: 'swav',
  title: 'Swapped prediction of Sinkhorn-Knopp prototype codes',
  methods: ['SwAV'],
  fn: swavLoss,
  params: z.object({ temperature: positive, epsilon: positive, sinkhorn_iterations: z.int().min(0) }),
  inputs: { views: float('V', 'N', 'D'), prototypes: float('K', 'D') },
  check: (dims) => atLeast(dims, 'V', 2, 'views 0 and 1 are the assignment crops'),
  compute: (t, p) => ({
    loss: swavLoss(t.views, t.prototypes, {
      temperature: p.temperature,
      epsilon: p.epsilon,
      sinkhornIterations: p.sinkhorn_iterations,
    }),
  }),
});
