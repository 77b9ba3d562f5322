import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, softCrossEntropy, stopGradient } from './common';
import { atLeast, defineLoss, float, optional, positive } from './loss-description';
import { sinkhornKnopp, type SwavOptions } from './swav';

/**
 * SwAV's swapped prediction with a queue (Caron et al. 2020, Sec. 3.1 and appendix on small batches, as the
 * released `main_swav.py`): for assignment view s the Sinkhorn codes are computed on the stored queue scores
 * followed by the batch scores, and only the batch rows are kept. With no queue rows this is exactly swavLoss.
 */
export function swavLossWithQueue(
  views: tf.Tensor3D,
  prototypes: tf.Tensor2D,
  queues: readonly (tf.Tensor2D | null)[],
  options: SwavOptions,
): tf.Scalar {
  const { temperature, epsilon, sinkhornIterations } = options;
  const assignViews = options.assignViews ?? [0, 1];
  return tf.tidy(() => {
    const [numViews, n, d] = views.shape;
    const k = prototypes.shape[0];
    const c = l2Normalize(prototypes);
    const flat = l2Normalize(tf.reshape(views, [numViews * n, d]) as tf.Tensor2D);
    const perView = tf.unstack(
      tf.reshape(tf.matMul(flat, c, false, true), [numViews, n, k]),
    ) as tf.Tensor2D[];
    const terms = assignViews.map((s, i) => {
      const queue = queues[i] ?? null;
      const scores = queue
        ? tf.concat([tf.matMul(l2Normalize(stopGradient(queue)), c, false, true), perView[s]!], 0)
        : perView[s]!;
      const all = sinkhornKnopp(scores as tf.Tensor2D, epsilon, sinkhornIterations);
      const q = tf.slice(all, [all.shape[0] - n, 0], [n, k]) as tf.Tensor2D;
      const losses: tf.Scalar[] = [];
      for (let v = 0; v < numViews; v++) {
        if (v !== s) losses.push(softCrossEntropy(q, tf.div(perView[v]!, temperature) as tf.Tensor2D));
      }
      return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
    });
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  });
}

export const swavQueueDescription = defineLoss({
  name: 'swav_queue',
  title: 'Swapped prediction with Sinkhorn-Knopp codes over a queue of past embeddings and the batch',
  methods: ['SwAV (queueLength > 0, once the queue is full)'],
  fn: swavLossWithQueue,
  params: z.object({ temperature: positive, epsilon: positive, sinkhorn_iterations: z.int().min(0) }),
  // queues[a] holds past embeddings for assignment view a (views 0 and 1); left out, no queue joins the codes.
  inputs: {
    views: float('V', 'N', 'D'),
    prototypes: float('K', 'D'),
    queues: optional(float('A', 'Q', 'D')),
  },
  stopGradient: ['queues'],
  fixtures: { loss: 'swav', why: 'with no queue rows this is exactly swav' },
  check: (dims) => {
    atLeast(dims, 'V', 2, 'views 0 and 1 are the assignment crops');
    if (dims.A !== undefined && dims.A !== 2)
      throw new Error(
        `dimension A is ${dims.A}, but must be 2 (one queue per assignment crop, views 0 and 1)`,
      );
  },
  compute: (t, p) => ({
    loss: swavLossWithQueue(t.views, t.prototypes, t.queues ? (tf.unstack(t.queues) as tf.Tensor2D[]) : [], {
      temperature: p.temperature,
      epsilon: p.epsilon,
      sinkhornIterations: p.sinkhorn_iterations,
    }),
  }),
});
