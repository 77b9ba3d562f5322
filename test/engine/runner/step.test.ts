import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../../src-main/engine/backend/gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizationStep, scheduledLearningRate } from '../../../src-main/engine/runner/step';
import { createOptimizer, type NamedParameter } from '../../../src-main/engine/nn/optimizers';
import { mocoStepSchedule, warmupCosine } from '../../../src-main/engine/nn/schedule';
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
      [['fc.weight', w]],
      batch,
      { step: 0, totalSteps: 1, epoch: 0, stepsPerEpoch: 1 },
      { lr: 0.25, peakLr: 0.25 },
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
    await optimizationStep(instance, optimizer, params, batch, ctx, { lr: 0.1, peakLr: 0.1 });
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

  describe("the method's optimisation rules", () => {
    const ctx: StepContext = { step: 5, totalSteps: 10, epoch: 0, stepsPerEpoch: 10 };
    const batch: TrainBatch = { views: [], indices: new Int32Array(0), labels: null };
    /** One plain SGD step (no momentum, no decay) of `loss` over `params` under `optimisation`. */
    const stepWith = async (
      params: NamedParameter[],
      loss: () => tf.Scalar,
      optimisation: MethodInstance['optimisation'],
      rates: { lr: number; peakLr: number },
    ) => {
      const instance = { step: () => ({ loss: loss() }), optimisation } as unknown as MethodInstance;
      const optimizer = createOptimizer(params, { id: 'sgd', momentum: 0, weightDecay: 0 });
      await optimizationStep(instance, optimizer, params, batch, ctx, rates);
      optimizer.dispose();
      return params.map(([, v]) => Array.from(v.dataSync()));
    };

    it('a fixed-rate group steps at the peak rate while the others follow the schedule (SimSiam’s predictor)', async () => {
      const run = async (optimisation: MethodInstance['optimisation']) => {
        const a = tf.variable(tf.tensor1d([1, 2]));
        const b = tf.variable(tf.tensor1d([1, 2]));
        const loss = () => tf.add(tf.sum(tf.square(a)), tf.sum(tf.square(b))) as tf.Scalar;
        // The schedule has decayed to 0.1 of its 0.25 peak.
        const out = await stepWith(
          [
            ['online.weight', a],
            ['predictor.weight', b],
          ],
          loss,
          optimisation,
          { lr: 0.025, peakLr: 0.25 },
        );
        tf.dispose([a, b]);
        return out;
      };
      // w ← w − η·2w: η = 0.025 for the scheduled group, 0.25 for the fixed one.
      const grouped = await run({ parameterGroups: [{ prefix: 'predictor.', lr: 'fixed' }] });
      expect(grouped[0]).toEqual([expect.closeTo(0.95, 6), expect.closeTo(1.9, 6)]);
      expect(grouped[1]).toEqual([expect.closeTo(0.5, 6), expect.closeTo(1, 6)]);
      const plain = await run(undefined);
      expect(plain[1]).toEqual(plain[0]);
    });

    it('clips each parameter’s gradient to the norm on its own (DINO’s clip_gradients)', async () => {
      const big = tf.variable(tf.zeros([4]));
      const small = tf.variable(tf.zeros([1]));
      // Gradients: [100, 100, 100, 100] (norm 200) and [1] (norm 1).
      const loss = () => tf.add(tf.mul(tf.sum(big), 100), tf.sum(small)) as tf.Scalar;
      const params: NamedParameter[] = [
        ['big.weight', big],
        ['small.weight', small],
      ];
      const [clippedBig, smallAfter] = await stepWith(
        params,
        loss,
        { clipGradientNorm: 3 },
        { lr: 1, peakLr: 1 },
      );
      // 100 · 3 / 200 = 1.5 per entry: norm 3; the small gradient is left alone.
      clippedBig!.forEach((v) => expect(v).toBeCloseTo(-1.5, 4));
      expect(smallAfter![0]).toBeCloseTo(-1, 5);
      tf.dispose([big, small]);
    });

    it('takes the weight decay of the step from the method’s schedule', async () => {
      const w = tf.variable(tf.tensor1d([2]));
      const seen: StepContext[] = [];
      const weightDecay = (c: StepContext) => (seen.push(c), 0.5);
      // No gradient: only the decay moves w: v = λw = 1, w ← 2 − 0.1 · 1.
      const [after] = await stepWith(
        [['fc.weight', w]],
        () => tf.mul(tf.sum(w), 0) as tf.Scalar,
        { weightDecay },
        {
          lr: 0.1,
          peakLr: 0.1,
        },
      );
      expect(after![0]).toBeCloseTo(1.9, 6);
      expect(seen).toEqual([ctx]);
      w.dispose();
    });

    it('schedules the learning rate with the method’s schedule, cosine by default', () => {
      const at = (step: number, lrSchedule?: typeof mocoStepSchedule) =>
        scheduledLearningRate(
          { optimisation: lrSchedule ? { lrSchedule } : undefined } as unknown as MethodInstance,
          { step, totalSteps: 100, epoch: 0, stepsPerEpoch: 100 },
          0,
          0.3,
        );
      expect(at(70)).toBeCloseTo(warmupCosine(70, 100, 0, 0.3), 12);
      expect(at(59, mocoStepSchedule)).toBeCloseTo(0.3, 12);
      expect(at(70, mocoStepSchedule)).toBeCloseTo(0.03, 12);
      expect(at(99, mocoStepSchedule)).toBeCloseTo(0.003, 12);
    });
  });
});
