import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../../src-main/engine/backend/gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizationStep } from '../../../src-main/engine/runner/step';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { Linear } from '../../../src-main/engine/nn/layers';
import { initTarget } from '../../../src-main/engine/nn/momentum';
import { Rng } from '../../../src-main/engine/util/rng';
import type { MethodInstance, StepContext, TrainBatch } from '../../../src-main/engine/methods/method';

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

  it('updates every declared momentum pair with its coefficient for the step, after the optimiser, before afterStep', async () => {
    const online = new Linear(2, 2, new Rng(1));
    const target = initTarget(online, new Linear(2, 2, new Rng(2)));
    const values = (m: Linear) => m.state().map((v) => Array.from(v.dataSync()));
    const initial = values(online);
    const seen: StepContext[] = [];
    const order: string[] = [];
    const x = tf.tensor2d([[1, -2]]);
    const instance = {
      momentumPairs: [
        {
          online,
          target,
          momentum: (ctx: StepContext) => {
            seen.push(ctx);
            order.push('pair');
            return 0.75;
          },
        },
      ],
      trainableParameters: () => online.namedParameters('online.'),
      step: () => ({ loss: tf.sum(tf.square(online.forward(x))) as tf.Scalar }),
      afterStep: () => order.push(`after:${values(target).flat().join(',')}`),
    } as unknown as MethodInstance;
    const params = online.namedParameters('online.');
    const optimizer = createOptimizer(params, { id: 'sgd', momentum: 0, weightDecay: 0 });
    const ctx = { step: 3, totalSteps: 10, epoch: 1, stepsPerEpoch: 2 };
    const batch: TrainBatch = { views: [], indices: new Int32Array(0), labels: null };
    await optimizationStep(
      instance,
      optimizer,
      params.map(([, v]) => v),
      batch,
      ctx,
      0.1,
    );
    expect(seen).toEqual([ctx]);
    // θ_target ← m·θ_target + (1 − m)·θ_online with the online weights after the optimiser step.
    const stepped = values(online);
    expect(stepped).not.toEqual(initial);
    const want = initial.map((t, i) => t.map((v, j) => 0.75 * v + 0.25 * stepped[i]![j]!));
    values(target).forEach((t, i) => t.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 6)));
    expect(order).toEqual(['pair', `after:${values(target).flat().join(',')}`]);
    tf.dispose(x);
    optimizer.dispose();
    online.dispose();
    target.dispose();
  });
});
