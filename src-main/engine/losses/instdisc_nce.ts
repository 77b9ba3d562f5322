import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, rowDot, stopGradient } from './common';
import { checkRange, defineLoss, float, fraction, int, nonNegative, positive } from './loss-description';

export interface InstDiscNceOptions {
  /** τ of the non-parametric softmax. */
  temperature: number;
  /** The normalising constant Z (estimated once by Monte Carlo in the paper, Eq. 6). */
  z: number;
  /** λ of the proximal regulariser (Eq. 9); 0 disables it. */
  proximalLambda: number;
  /** Momentum of the memory-bank update; the stored row keeps this fraction of its old value. */
  bankMomentum: number;
}

export interface InstDiscNceResult {
  loss: tf.Scalar;
  /** [N,D] new memory-bank rows for `index`: normalize(momentum·bank[index] + (1−momentum)·v̂), no gradient. */
  updatedBankRows: tf.Tensor2D;
}

/**
 * Instance discrimination with NCE (Wu et al. 2018, Eq. 4–9). v [N,D] is normalised; bank [n,D] rows are already
 * normalised and get no gradient; index [N] are the instances' own rows, noiseIndex [N,m] the noise samples.
 * P(i|v) = exp(v·bank_i/τ)/Z; h = P/(P + m/n);
 * loss = −mean_b [log h(index_b) + Σ_j log(1 − h(noise_bj))] + λ · mean_b ‖v_b − bank_index_b‖².
 */
export function instDiscNceLoss(
  v: tf.Tensor2D,
  bank: tf.Tensor2D,
  index: tf.Tensor1D,
  noiseIndex: tf.Tensor2D,
  options: InstDiscNceOptions,
): InstDiscNceResult {
  const { temperature, z, proximalLambda, bankMomentum } = options;
  return tf.tidy(() => {
    const [n] = bank.shape;
    const [batch, m] = noiseIndex.shape;
    const d = v.shape[1];
    const vn = l2Normalize(v);
    const b = stopGradient(bank);
    const idx = tf.cast(index, 'int32');
    const own = tf.gather(b, idx) as tf.Tensor2D; // [N,D]
    const noise = tf.gather(b, tf.reshape(tf.cast(noiseIndex, 'int32'), [-1])); // [N·m,D]
    // a = log P = s/τ − log Z; c = log(m/n) = log of the noise probability m·P_n with P_n = 1/n.
    const logZ = Math.log(z);
    const c = Math.log(m / n);
    const aPos = tf.sub(tf.div(rowDot(vn, own), temperature), logZ);
    const noiseScores = tf.reshape(
      tf.matMul(tf.reshape(vn, [batch, 1, d]), tf.reshape(noise, [batch, m, d]), false, true),
      [batch, m],
    );
    const aNeg = tf.sub(tf.div(noiseScores, temperature), logZ);
    // log h = log P − log(P + m/n) = −softplus(c − a); log(1 − h) = −softplus(a − c) (Eq. 7), overflow-free.
    const logH = tf.neg(tf.softplus(tf.sub(c, aPos)));
    const log1mH = tf.neg(tf.softplus(tf.sub(aNeg, c)));
    let loss = tf.neg(tf.mean(tf.add(logH, tf.sum(log1mH, 1)))) as tf.Scalar;
    if (proximalLambda !== 0) {
      const prox = tf.mean(tf.sum(tf.square(tf.sub(vn, own)), 1));
      loss = tf.add(loss, tf.mul(prox, proximalLambda));
    }
    // Memory-bank update of Sec. 3.2 on detached values.
    const updatedBankRows = stopGradient(
      l2Normalize(tf.add(tf.mul(own, bankMomentum), tf.mul(vn, 1 - bankMomentum))),
    ) as tf.Tensor2D;
    return { loss, updatedBankRows };
  });
}

export const instDiscNceDescription = defineLoss({
  name: 'instdisc_nce',
  title: 'Instance discrimination with NCE against a memory bank',
  methods: ['InstDisc (noiseSamples > 0)'],
  fn: instDiscNceLoss,
  params: z.object({
    temperature: positive,
    z: positive,
    proximal_lambda: nonNegative,
    bank_momentum: fraction,
  }),
  inputs: { v: float('N', 'D'), bank: float('Nbank', 'D'), index: int('N'), noise_index: int('N', 'M') },
  stopGradient: ['bank'],
  sideOutputs: ['updated_bank_rows'],
  check: (dims, ints) => {
    checkRange('index', ints.index, dims.Nbank!, 'rows of bank');
    checkRange('noise_index', ints.noise_index, dims.Nbank!, 'rows of bank');
  },
  compute: (t, p) => {
    const { loss, updatedBankRows } = instDiscNceLoss(t.v, t.bank, t.index, t.noise_index, {
      temperature: p.temperature,
      z: p.z,
      proximalLambda: p.proximal_lambda,
      bankMomentum: p.bank_momentum,
    });
    return { loss, side: { updated_bank_rows: updatedBankRows } };
  },
});
