import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, rowDot, stopGradient } from './common';
import { defineLoss, float, positive } from './loss-description';

/**
 * InfoNCE against a queue of negatives (MoCo v1/v2, He et al. 2020, Eq. 1). q and k are normalised;
 * the keys and the queue (whose rows are already normalised) get no gradient. logits = [q·k, q·queueᵀ]/τ,
 * target index 0.
 */
export function infoNceQueueLoss(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  queue: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const qn = l2Normalize(q);
    const kn = stopGradient(l2Normalize(k));
    const pos = tf.expandDims(rowDot(qn, kn), 1);
    const neg = tf.matMul(qn, stopGradient(queue), false, true);
    const logp = tf.logSoftmax(tf.div(tf.concat([pos, neg], 1), temperature), 1);
    // Target 0 for every row: the positive logit is column 0.
    return tf.neg(tf.mean(tf.slice(logp, [0, 0], [-1, 1]))) as tf.Scalar;
  });
}

export const infoNceQueueDescription = defineLoss({
  name: 'infonce_queue',
  title: 'InfoNCE with a momentum-key queue of negatives',
  methods: ['MoCo v1', 'MoCo v2'],
  fn: infoNceQueueLoss,
  params: z.object({ temperature: positive }),
  inputs: { q: float('N', 'D'), k: float('N', 'D'), queue: float('K', 'D') },
  stopGradient: ['k', 'queue'],
  compute: (t, p) => ({ loss: infoNceQueueLoss(t.q, t.k, t.queue, p.temperature) }),
});
