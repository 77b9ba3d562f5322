import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { softCrossEntropy, stopGradient } from './common';
import { defineLoss, float, fraction, positive } from './loss-description';

export interface DinoOptions {
  /** τ_s of the student softmax. */
  studentTemperature: number;
  /** τ_t of the (sharper) teacher softmax. */
  teacherTemperature: number;
  /** m of the centre EMA. */
  centerMomentum: number;
}

export interface DinoLossResult {
  loss: tf.Scalar;
  /** m·center + (1−m)·mean of the teacher logits over all rows; the caller stores it for the next step. */
  newCenter: tf.Tensor1D;
}

/**
 * DINO self-distillation loss (Caron et al. 2021, Eq. 3 and Alg. 1). student [Vs,N,K] logits,
 * teacher [Vt,N,K] logits (the teacher sees the first Vt student views: the global crops), center [K].
 * t = softmax((teacher − center)/τ_t) without gradient; loss = mean over pairs (teacher view i, student view
 * v ≠ i) of −mean_n Σ_k t log softmax(student/τ_s). Teacher and centre get no gradient.
 */
export function dinoLoss(
  student: tf.Tensor3D,
  teacher: tf.Tensor3D,
  center: tf.Tensor1D,
  options: DinoOptions,
): DinoLossResult {
  const { studentTemperature, teacherTemperature, centerMomentum } = options;
  const numStudent = student.shape[0];
  const numTeacher = teacher.shape[0];
  return tf.tidy(() => {
    const t = stopGradient(teacher);
    const c = stopGradient(center);
    const teacherProbs = tf.unstack(tf.softmax(tf.div(tf.sub(t, c), teacherTemperature))) as tf.Tensor2D[];
    const studentLogits = tf.unstack(tf.div(student, studentTemperature)) as tf.Tensor2D[];
    const terms: tf.Scalar[] = [];
    for (let i = 0; i < numTeacher; i++) {
      for (let v = 0; v < numStudent; v++) {
        if (v !== i) terms.push(softCrossEntropy(teacherProbs[i], studentLogits[v]));
      }
    }
    if (terms.length === 0)
      throw new Error('dinoLoss: no (teacher view, student view) pair with different views');
    const loss = tf.div(tf.addN(terms), terms.length) as tf.Scalar;
    // Eq. 4: c ← m c + (1 − m) mean over the batch of teacher outputs (all Vt·N rows).
    const batchMean = tf.mean(tf.reshape(t, [-1, teacher.shape[2]]), 0);
    const newCenter = tf.add(tf.mul(c, centerMomentum), tf.mul(batchMean, 1 - centerMomentum)) as tf.Tensor1D;
    return { loss, newCenter };
  });
}

export const dinoDescription = defineLoss({
  name: 'dino',
  title: 'Self-distillation cross-entropy to a centred, sharpened teacher',
  methods: ['DINO'],
  fn: dinoLoss,
  params: z.object({
    student_temperature: positive,
    teacher_temperature: positive,
    center_momentum: fraction,
  }),
  inputs: { student: float('Vs', 'N', 'K'), teacher: float('Vt', 'N', 'K'), center: float('K') },
  stopGradient: ['teacher', 'center'],
  sideOutputs: ['new_center'],
  check: (dims) => {
    if (dims.Vs === 1 && dims.Vt === 1)
      throw new Error('dino needs a (teacher view, other student view) pair');
  },
  compute: (t, p) => {
    const { loss, newCenter } = dinoLoss(t.student, t.teacher, t.center, {
      studentTemperature: p.student_temperature,
      teacherTemperature: p.teacher_temperature,
      centerMomentum: p.center_momentum,
    });
    return { loss, side: { new_center: newCenter } };
  },
});
