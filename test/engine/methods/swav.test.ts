import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { sinkhornKnopp } from '../../../src-main/engine/losses/swav';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { SwavInstance } from '../../../src-main/engine/methods/swav';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import {
  createInstance,
  ctxAt,
  expectHealthyRun,
  maxAbsDiff,
  optimiseStep,
  randomBatch,
  trainTiny,
} from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

const rowNorms = (t: tf.Tensor) => tf.tidy(() => Array.from(tf.norm(t, 2, 1).dataSync()));

describe('swav', () => {
  it('trains one epoch with multi-crop without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('swav', { freezePrototypesSteps: 2 }));
  });

  it('trains with the queue switched on (filled from epoch 0, used once full)', async () => {
    expectHealthyRun(
      await trainTiny('swav', {
        queueLength: 128,
        queueStartEpoch: 0,
        freezePrototypesSteps: 0,
        localCrops: 2,
      }),
    );
  });

  it('plans 2 global crops and small local crops', () => {
    const m = getMethod('swav');
    const c = resolveConfig(m, {});
    const plan = m.viewPlan(c, 32);
    expect(plan.global.map((a) => [a.outputSize, a.cropScale])).toEqual([
      [32, [0.14, 1]],
      [32, [0.14, 1]],
    ]);
    expect(plan.local).toHaveLength(4);
    // The paper's 96/224 of the image side: round(32·96/224) = 14.
    expect(plan.local[0]).toMatchObject({ outputSize: 14, cropScale: [0.05, 0.14] });
    expect(c).toMatchObject({ epsilon: 0.05, sinkhornIterations: 3, temperature: 0.1, optimizer: 'lars' });
    expect(() => m.viewPlan({ ...c, localCropMinScale: 0.5 }, 32)).toThrow(/localCropMinScale/);
  });

  it('keeps the prototypes fixed while frozen, then updates them, always on the unit sphere', () => {
    const { instance, config } = createInstance('swav', {
      freezePrototypesSteps: 2,
      localCrops: 1,
      numPrototypes: 10,
    });
    const inst = instance as SwavInstance;
    const optimizer = createOptimizer(inst.trainableParameters(), {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 1e-4,
    });
    const initial = tf.clone(inst.prototypes.weight);
    for (const v of rowNorms(initial)) expect(v).toBeCloseTo(1, 5);
    for (let s = 0; s < 4; s++) {
      const batch = randomBatch('swav', config, [0, 1, 2, 3, 4, 5, 6, 7], s);
      const loss = optimiseStep(inst, optimizer, batch, ctxAt(s), 0.5);
      tf.dispose(batch.views);
      expect(Number.isFinite(loss)).toBe(true);
      for (const v of rowNorms(inst.prototypes.weight)) expect(v).toBeCloseTo(1, 5);
      const moved = maxAbsDiff(inst.prototypes.weight, initial);
      if (s < 2) expect(moved).toBe(0);
      else expect(moved).toBeGreaterThan(1e-4);
    }
    initial.dispose();
    optimizer.dispose();
    inst.dispose();
  });
});

describe('Sinkhorn-Knopp codes', () => {
  it('rows of q sum to 1 and columns to about N/K (equipartition), exactly so after enough iterations', () => {
    const scores = tf.tidy(() => {
      const x = tf.randomNormal([24, 6], 0, 1, 'float32', 5);
      return tf.div(x, tf.norm(x, 2, 1, true)) as tf.Tensor2D;
    });
    for (const [iterations, tolerance] of [
      [3, 0.5],
      [100, 1e-3],
    ] as const) {
      const q = sinkhornKnopp(scores, 0.05, iterations);
      const rows = Array.from(tf.sum(q, 1).dataSync());
      const cols = Array.from(tf.sum(q, 0).dataSync());
      for (const r of rows) expect(r).toBeCloseTo(1, 5);
      for (const c of cols) expect(Math.abs(c - 24 / 6)).toBeLessThan(tolerance * (24 / 6));
      expect(tf.min(q).dataSync()[0]).toBeGreaterThanOrEqual(0);
      q.dispose();
    }
    scores.dispose();
  });
});
