import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { stopGradient } from './common';
import { checkRange, defineLoss, float, fraction, int, optional, positive } from './loss-description';

export interface DistillationOptions {
  /** τ of both softmaxes of the distillation term. */
  temperature: number;
  /** α: the distillation term's weight; 1 − α weighs the labelled rows' cross-entropy. */
  labelWeight: number;
}

/**
 * Knowledge distillation through unlabelled examples (SimCLR v2, Chen et al. 2020b, Sec. 2, Eq. 2 and the
 * weighted combination after it):
 *
 *   L = −(1 − α) · mean_{labelled rows} log P_S(y|x) − α · mean_x Σ_k P_T(k|x; τ) log P_S(k|x; τ),
 *
 * with P(k|x; τ) = softmax(logits/τ)_k. student, teacher [N,K] logits; the teacher is fixed (no gradient).
 * The labelled term uses the student at temperature 1, as the paper's; its rows are those of `labelled`
 * (1 = labelled, 0 = not) or, without a mask, every row; without labels, or with no labelled row, it is 0.
 * The paper's sums over the data set become means over the batch (what a minibatch estimates).
 *
 * Scaling: the distillation term is the paper's Eq. 2 exactly, without Hinton et al.'s (2015) τ² factor
 * (which keeps the soft term's gradient size independent of τ when it is mixed with hard labels). At τ = 1,
 * v2's best and the default, the two agree; with a τ² the loss would mean something other than the
 * paper's weighted sum for any other τ.
 */
export function distillationLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  options: DistillationOptions,
  labels?: tf.Tensor1D,
  labelled?: tf.Tensor1D,
): tf.Scalar {
  const { temperature, labelWeight } = options;
  return tf.tidy(() => {
    const target = tf.softmax(tf.div(stopGradient(teacher), temperature));
    const soft = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(tf.div(student, temperature))), 1)));
    let loss = tf.mul(soft, labelWeight) as tf.Scalar;
    if (labels && labelWeight < 1) {
      const classes = student.shape[1];
      const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
      const nll = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(student)), 1)); // −log P_S(y|x), [N]
      const mask = labelled ? tf.cast(labelled, 'float32') : tf.onesLike(nll);
      // Mean over the labelled rows; 0 when there are none (max(1, count) only guards that case).
      const hard = tf.div(tf.sum(tf.mul(nll, mask)), tf.maximum(tf.sum(mask), 1));
      loss = tf.add(loss, tf.mul(hard, 1 - labelWeight));
    }
    return loss;
  });
}

export const distillationDescription = defineLoss({
  name: 'distillation',
  title: "Distillation: cross-entropy to a fixed teacher's softened predictions, plus the labelled rows'",
  methods: ['SimCLR v2 distillation (the distill job)'],
  fn: distillationLoss,
  params: z.object({ temperature: positive, label_weight: fraction }),
  inputs: {
    student: float('N', 'K'),
    teacher: float('N', 'K'),
    labels: optional(int('N')),
    labelled: optional(int('N')),
  },
  stopGradient: ['teacher'],
  fixtures: {
    none:
      'No shared fixture exists; test/engine/losses/distillation.test.ts checks it against the project-made ' +
      'fixtures test/fixtures/losses/distillation-*.json, written by a float64 PyTorch reference ' +
      '(test/fixtures/losses/distillation_reference.py).',
  },
  check: (dims, ints) => {
    const given = ints as Partial<Record<'labels' | 'labelled', Int32Array>>;
    if (given.labels) checkRange('labels', given.labels, dims.K!, 'classes of the logits');
    if (given.labelled) {
      if (!given.labels) throw new Error('inputs.labelled marks labelled rows, but inputs.labels is missing');
      checkRange('labelled', given.labelled, 2, '0 = unlabelled row, 1 = labelled row');
    }
  },
  compute: (t, p) => ({
    loss: distillationLoss(
      t.student,
      t.teacher,
      { temperature: p.temperature, labelWeight: p.label_weight },
      t.labels,
      t.labelled,
    ),
  }),
});
