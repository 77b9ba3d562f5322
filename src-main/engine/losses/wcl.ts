import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { l2Normalize, maskDiagonal, sameLabelMask, supervisedContrastiveTerm } from './common';
import { atLeast, defineLoss, float, positive } from './loss-description';
import { ntXentLoss } from './nt_xent';

export interface WclLossResult {
  loss: tf.Scalar;
  /** nt_xent(z1, z2, τ). */
  instanceLoss: tf.Scalar;
  /** ½(sup(v2, labels1) + sup(v1, labels2)). */
  swapLoss: tf.Scalar;
  /** Weak labels of view 1 (component id = smallest member index). */
  labels1: Int32Array;
  /** Weak labels of view 2. */
  labels2: Int32Array;
}

/**
 * WCL weak labels (Zheng et al. 2021, Sec. 3.2): the 1-nearest-neighbour graph by cosine similarity of
 * normalize(v) (itself excluded, ties to the smaller index), made undirected, split into connected components;
 * each row gets its component's smallest index. Computed on values (no gradient) with a small CPU union–find.
 */
export function wclWeakLabels(v: tf.Tensor2D): Int32Array {
  const nn = tf.tidy(() => {
    const x = l2Normalize(v);
    return tf.argMax(maskDiagonal(tf.matMul(x, x, false, true)), 1);
  });
  const neighbour = nn.dataSync();
  nn.dispose();
  const n = neighbour.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    const a = find(i);
    const b = find(neighbour[i]);
    // Keep the smaller index as root, so the root is the component's smallest member.
    if (a < b) parent[b] = a;
    else if (b < a) parent[a] = b;
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = find(i);
  return labels;
}

/**
 * Single-view supervised contrastive term of WCL: on normalize(v), positives share the weak label (not itself),
 * denominator over all j ≠ a, mean over positives then over anchors (Khosla et al. 2020, Eq. 2).
 */
export function wclSupervisedLoss(v: tf.Tensor2D, labels: ArrayLike<number>, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const x = l2Normalize(v);
    const sim = tf.div(tf.matMul(x, x, false, true), temperature) as tf.Tensor2D;
    return tf.mean(supervisedContrastiveTerm(sim, sameLabelMask(labels)));
  });
}

/**
 * Weakly Supervised Contrastive Learning loss (Zheng et al. 2021, Eq. 7–9): instance head z1, z2 and weak-label
 * head v1, v2 [N,D]. loss = nt_xent(z1, z2, τ) + swapWeight · ½(sup(v2, labels1) + sup(v1, labels2)), where
 * labels_k = wclWeakLabels(v_k) and carries no gradient (the labels from one view supervise the other).
 */
export function wclLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  v1: tf.Tensor2D,
  v2: tf.Tensor2D,
  temperature: number,
  swapWeight: number,
): WclLossResult {
  const labels1 = wclWeakLabels(v1);
  const labels2 = wclWeakLabels(v2);
  return tf.tidy(() => {
    const instanceLoss = ntXentLoss(z1, z2, temperature);
    const swapLoss = tf.mul(
      0.5,
      tf.add(wclSupervisedLoss(v2, labels1, temperature), wclSupervisedLoss(v1, labels2, temperature)),
    ) as tf.Scalar;
    const loss = tf.add(instanceLoss, tf.mul(swapLoss, swapWeight)) as tf.Scalar;
    return { loss, instanceLoss, swapLoss, labels1, labels2 };
  });
}

export const wclDescription = defineLoss({
  name: 'wcl',
  title: 'NT-Xent plus swapped supervised contrast on 1-NN graph weak labels',
  methods: ['WCL'],
  fn: wclLoss,
  params: z.object({ temperature: positive, swap_weight: z.number() }),
  inputs: { z1: float('N', 'D'), z2: float('N', 'D'), v1: float('N', 'E'), v2: float('N', 'E') },
  sideOutputs: ['instance_loss', 'swap_loss', 'labels_1', 'labels_2'],
  check: (dims) => atLeast(dims, 'N', 2, 'each row needs a nearest neighbour other than itself'),
  compute: (t, p) => {
    const r = wclLoss(t.z1, t.z2, t.v1, t.v2, p.temperature, p.swap_weight);
    return {
      loss: r.loss,
      side: {
        instance_loss: r.instanceLoss,
        swap_loss: r.swapLoss,
        labels_1: r.labels1,
        labels_2: r.labels2,
      },
    };
  },
});
