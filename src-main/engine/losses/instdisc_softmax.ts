import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, rowDot, stopGradient } from './common';
import { checkRange, defineLoss, float, fraction, int, nonNegative, positive } from './loss-description';

export interface InstDiscSoftmaxOptions {
  /** τ of the non-parametric softmax. */
  temperature: number;
  /** λ of the proximal regulariser (Sec. 3.3); 0 disables it. */
  proximalLambda: number;
  /** Momentum of the memory-bank update; the stored row keeps this fraction of its old value. */
  bankMomentum: number;
}

export interface InstDiscSoftmaxResult {
  loss: tf.Scalar;
  /** [N,D] new memory-bank rows for `index`: normalize(momentum·bank[index] + (1−momentum)·v̂), no gradient. */
  updatedBankRows: tf.Tensor2D;
}

/**
 * Instance discrimination with the exact non-parametric softmax over every memory-bank row (Wu et al. 2018,
 * Eq. 2): P(i|v) = exp(v̂·bank_i/τ) / Σ_j exp(v̂·bank_j/τ), loss = −mean_b log P(index_b|v_b)
 * (+ λ · mean_b ‖v̂_b − bank_index_b‖² when λ > 0). The released code's CIFAR recipe uses this form
 * (lemniscate.pytorch README: `cifar.py --nce-k 0`, lib/LinearAverage.py with a cross-entropy loss) instead of
 * the NCE approximation, which the paper needs only when n is too large to sum over.
 *
 * Unlike NCE with Z fixed from the first batch, the softmax renormalises at every step: the weights on the bank
 * rows sum to one, so a memory bank whose rows all point one way gives no net push of every feature in the same
 * direction. v [N,D] is normalised here; bank [n,D] rows are already unit vectors and get no gradient.
 */
export function instDiscSoftmaxLoss(
  v: tf.Tensor2D,
  bank: tf.Tensor2D,
  index: tf.Tensor1D,
  options: InstDiscSoftmaxOptions,
): InstDiscSoftmaxResult {
  const { temperature, proximalLambda, bankMomentum } = options;
  return tf.tidy(() => {
    const vn = l2Normalize(v);
    const b = stopGradient(bank);
    const own = tf.gather(b, tf.cast(index, 'int32')) as tf.Tensor2D; // [N,D], read before the bank update
    const logits = tf.div(tf.matMul(vn, b, false, true), temperature); // [N,n]
    // −log P(i|v) = logsumexp_j(s_j/τ) − s_i/τ; logSumExp subtracts the row max, so exp(1/τ) never overflows.
    const nll = tf.sub(tf.logSumExp(logits, 1), tf.div(rowDot(vn, own), temperature));
    let loss = tf.mean(nll) as tf.Scalar;
    if (proximalLambda !== 0) {
      const prox = tf.mean(tf.sum(tf.square(tf.sub(vn, own)), 1));
      loss = tf.add(loss, tf.mul(prox, proximalLambda));
    }
    // Memory-bank update of Sec. 3.2 on detached values, from this forward pass (the augmented view).
    const updatedBankRows = stopGradient(
      l2Normalize(tf.add(tf.mul(own, bankMomentum), tf.mul(vn, 1 - bankMomentum))),
    ) as tf.Tensor2D;
    return { loss, updatedBankRows };
  });
}

export const instDiscSoftmaxDescription = defineLoss({
  name: 'instdisc_softmax',
  title: 'Instance discrimination with the exact non-parametric softmax over a memory bank',
  methods: ['InstDisc (noiseSamples = 0, the default)'],
  fn: instDiscSoftmaxLoss,
  params: z.object({ temperature: positive, proximal_lambda: nonNegative, bank_momentum: fraction }),
  inputs: { v: float('N', 'D'), bank: float('Nbank', 'D'), index: int('N') },
  stopGradient: ['bank'],
  sideOutputs: ['updated_bank_rows'],
  fixtures: {
    none:
      'No shared fixture exists; test/engine/losses/instdisc_softmax.test.ts checks this description against a ' +
      'float64 reference of Eq. 2.',
  },
  check: (dims, ints) => checkRange('index', ints.index, dims.Nbank!, 'rows of bank'),
  compute: (t, p) => {
    const { loss, updatedBankRows } = instDiscSoftmaxLoss(t.v, t.bank, t.index, {
      temperature: p.temperature,
      proximalLambda: p.proximal_lambda,
      bankMomentum: p.bank_momentum,
    });
    return { loss, side: { updated_bank_rows: updatedBankRows } };
  },
});
