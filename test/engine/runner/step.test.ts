import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../../src-main/engine/backend/gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizationStep } from '../../../src-main/engine/runner/step';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import type { MethodInstance, TrainBatch } from '../../../src-main/engine/methods/method';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('optimizationStep', () => {
  it('differentiates the loss, updates, runs afterStep, reads logs back and leaks nothing', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const order: string[] = [];
    const instance = {
      step: () => {
        order.push('step');
        return { loss: tf.sum(tf.square(w)) as tf.Scalar, logs: { w_sum: tf.sum(w) as tf.Scalar } };
      },
      afterStep: () => order.push(`after:${Array.from(w.dataSync()).join(',')}`),
    } as unknown as MethodInstance;
    const optimizer = createOptimizer([['fc.weight', w]], { id: 'sgd', momentum: 0, weightDecay: 0 });
    const batch: TrainBatch = { views: [], indices: new Int32Array(0), labels: null };
    const before = tf.memory().numTensors;
    const out = await optimizationStep(
      instance,
      optimizer,
      [w],
      batch,
      { step: 0, totalSteps: 1, epoch: 0, stepsPerEpoch: 1 },
      0.25,
    );
    expect(out.loss).toBeCloseTo(5);
    expect(out.logs).toEqual({ w_sum: 3 });
    // w ← w − 0.25 · 2w = w / 2, and afterStep sees the updated weights.
    expect(Array.from(w.dataSync())).toEqual([0.5, 1]);
    expect(order).toEqual(['step', 'after:0.5,1']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
