import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { crossEntropy, l2Normalize, maskDiagonal, stopGradient } from './common';
import { defineLoss, float, optional, positive } from './loss-description';

/**
 * NT-Xent with extra negatives from a memory queue (SimCLR v2 with MoCo's memory, Chen et al. 2020b, Sec. 2):
 * Z = normalize([z1; z2]); each row's logits are Z Zᵀ/τ without the diagonal, followed by Z·queueᵀ/τ (no
 * gradient into the queue); the positive of row i is row i ± N. With an empty queue this is nt_xent.
 */
export function ntXentLossWithQueue(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  queue: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const n = z1.shape[0];
    const zz = l2Normalize(tf.concat([z1, z2], 0));
    const batch = maskDiagonal(tf.div(tf.matMul(zz, zz, false, true), temperature) as tf.Tensor2D);
    const memory = tf.div(tf.matMul(zz, stopGradient(queue), false, true), temperature);
    const targets = tf.concat([tf.range(n, 2 * n, 1, 'int32'), tf.range(0, n, 1, 'int32')]) as tf.Tensor1D;
    return crossEntropy(tf.concat([batch, memory], 1) as tf.Tensor2D, targets);
  });
}

export const ntXentQueueDescription = defineLoss({
  name: 'nt_xent_queue',
  title: 'NT-Xent with extra negatives from a momentum-key queue',
  methods: ['SimCLR v2 (momentumEncoder on)'],
  fn: ntXentLossWithQueue,
  params: z.object({ temperature: positive }),
  // Left out, the queue is empty ([0, D]).
  inputs: { z1: float('N', 'D'), z2: float('N', 'D'), queue: optional(float('K', 'D')) },
  stopGradient: ['queue'],
  fixtures: { loss: 'nt_xent', why: 'with an empty queue this is exactly nt_xent' },
  compute: (t, p) =>
    tf.tidy(() => ({
      loss: ntXentLossWithQueue(t.z1, t.z2, t.queue ?? tf.zeros([0, t.z1.shape[1]]), p.temperature),
    })),
});
