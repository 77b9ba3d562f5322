import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { loadDataset, type Dataset } from '../../../src-main/engine/data';
import { agreement, createStudent, distill, type Classifier } from '../../../src-main/engine/eval/distill';
import { fineTune, fineTuneSubset, logitsOf } from '../../../src-main/engine/eval/fine-tune';
import { distillationLoss } from '../../../src-main/engine/losses/distillation';
import type { Module } from '../../../src-main/engine/nn/module';

let dataset: Dataset;
/** A ConvNet fine-tuned on every label of the tiny dataset, with its classifier: the fixed teacher. */
let teacher: Classifier;

/** Every parameter and buffer of a module, by name, as plain numbers. */
function snapshot(module: Module): Map<string, number[]> {
  return new Map(
    [...module.namedParameters(), ...module.namedBuffers()].map(([name, v]) => [name, [...v.dataSync()]]),
  );
}

/**
 * KL(teacher ‖ student) of the two softmaxes, averaged over every training image, un-augmented: what the
 * distillation loss at τ = 1 minimises (it is that loss less the teacher's entropy).
 */
function distanceToTeacher(student: Classifier): number {
  const indices = Int32Array.from({ length: dataset.train.count }, (_, i) => i);
  const s = logitsOf(student.network, student.classifier, dataset, dataset.train, indices);
  const t = logitsOf(teacher.network, teacher.classifier, dataset, dataset.train, indices);
  try {
    return tf.tidy(() => {
      const crossEntropy = distillationLoss(s, t, { temperature: 1, labelWeight: 1 });
      const p = tf.softmax(t);
      const entropy = tf.neg(tf.mean(tf.sum(tf.mul(p, tf.logSoftmax(t)), 1)));
      return tf.sub(crossEntropy, entropy).dataSync()[0]!;
    });
  } finally {
    tf.dispose([s, t]);
  }
}

beforeAll(async () => {
  await initBackend('wasm');
  // 10 classes of generated shapes: 160 training and 60 test images.
  dataset = await loadDataset({ id: 'synthetic', trainSize: 160, testSize: 60, seed: 7 });
  teacher = createStudent('convnet', 8, dataset, 1);
  await fineTune(teacher.network, dataset, {
    labelPercent: 100,
    epochs: 8,
    batchSize: 32,
    lr: 0.3,
    // Keep the fine-tuned classifier, as the fine-tune job keeps it in its file.
    onFinished: async (classifier) => {
      const kept = new Map(classifier.namedParameters());
      for (const [name, v] of teacher.classifier.namedParameters()) v.assign(kept.get(name)!);
    },
  });
});

describe('distill', () => {
  it('starts from a fresh student: the architecture at the asked width, random weights, a zero classifier', () => {
    const same = createStudent('convnet', 8, dataset);
    const smaller = createStudent('convnet', 4, dataset);
    try {
      const teacherWeights = snapshot(teacher.network);
      const studentWeights = snapshot(same.network);
      expect([...studentWeights.keys()]).toEqual([...teacherWeights.keys()]);
      // Nothing of the teacher's is copied: every convolution differs.
      for (const [name, values] of studentWeights) {
        if (name.endsWith('.weight')) expect(values).not.toEqual(teacherWeights.get(name));
      }
      expect(smaller.network.outputDim).toBe(teacher.network.outputDim / 2);
      expect(smaller.network.parameters().reduce((n, v) => n + v.size, 0)).toBeLessThan(
        same.network.parameters().reduce((n, v) => n + v.size, 0) / 3,
      );
      expect(
        [...same.classifier.namedParameters()].every(([, v]) => v.dataSync().every((x) => x === 0)),
      ).toBe(true);
    } finally {
      for (const s of [same, smaller]) {
        s.network.dispose();
        s.classifier.dispose();
      }
    }
  });

  it("moves the student toward the teacher's predictions and leaves the teacher as it was", async () => {
    const student = createStudent('convnet', 4, dataset);
    try {
      const teacherBefore = snapshot(teacher.network);
      const distanceBefore = distanceToTeacher(student);
      const agreementBefore = agreement(student, teacher, dataset, dataset.train);
      const tensorsBefore = tf.memory().numTensors;
      const r = await distill(teacher, student, dataset, { epochs: 2, batchSize: 16, lr: 0.4 });
      expect(tf.memory().numTensors).toBe(tensorsBefore);

      expect(distanceToTeacher(student)).toBeLessThan(0.8 * distanceBefore);
      expect(agreement(student, teacher, dataset, dataset.train)).toBeGreaterThan(agreementBefore + 0.05);
      // The teacher is fixed: no gradient, and batch norm in eval mode keeps its statistics.
      expect(snapshot(teacher.network)).toEqual(teacherBefore);
      expect(r).toMatchObject({ epochs: 2, steps: 20, images: 160, labelledImages: 0 });
      expect(r.teacherTop1).toBeCloseTo(agreementWithLabels(teacher), 6);
      expect(r.agreement).toBeCloseTo(agreement(student, teacher, dataset, dataset.test), 6);
      expect(r.top5).toBeGreaterThanOrEqual(r.top1);
    } finally {
      student.network.dispose();
      student.classifier.dispose();
    }
  });

  it('adds the labelled share below a label weight of 1, and refuses what it cannot do in one line', async () => {
    const student = createStudent('convnet', 4, dataset);
    try {
      const labelled = fineTuneSubset(dataset, 50);
      const r = await distill(teacher, student, dataset, {
        epochs: 1,
        batchSize: 32,
        labelWeight: 0.5,
        temperature: 2,
        labelled,
      });
      expect(r).toMatchObject({ steps: 5, labelledImages: labelled.indices.length });
      expect(Number.isFinite(r.trainLoss)).toBe(true);

      await expect(distill(teacher, student, dataset, { labelWeight: 0.5 })).rejects.toThrow(
        /^a label weight below 1 needs the labelled share the teacher was fine-tuned on$/,
      );
      await expect(distill(teacher, student, dataset, { temperature: 0 })).rejects.toThrow(
        /^the distillation temperature must be above 0, got 0$/,
      );
      await expect(distill(teacher, student, dataset, { labelWeight: 1.5 })).rejects.toThrow(
        /^the distillation's label weight must be from 0 to 1, got 1.5$/,
      );
    } finally {
      student.network.dispose();
      student.classifier.dispose();
    }
  });
});

/** The classifier's top-1 on the test split, counted here from its logits. */
function agreementWithLabels(c: Classifier): number {
  const indices = Int32Array.from({ length: dataset.test.count }, (_, i) => i);
  const logits = logitsOf(c.network, c.classifier, dataset, dataset.test, indices);
  const predicted = [...tf.tidy(() => tf.argMax(logits, 1).dataSync())];
  logits.dispose();
  const labels = dataset.test.labels!;
  return predicted.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / labels.length;
}
