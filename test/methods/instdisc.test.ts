import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { l2Normalize } from '../../src-main/engine/losses/common';
import type { InstDiscInstance } from '../../src-main/engine/methods/instdisc';
import { createOptimizer } from '../../src-main/engine/nn/optimizers';
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

describe('instdisc', () => {
  it('trains one epoch without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('instdisc'));
  });

  it('fixes Z from the first batch and keeps it afterwards', () => {
    const { instance, config } = createInstance('instdisc', { noiseSamples: 16 });
    const inst = instance as InstDiscInstance;
    expect(inst.normalizer).toBeNull();
    expect(inst.noiseSamples).toBe(16);
    const optimizer = createOptimizer(inst.trainableParameters(), {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    const b1 = randomBatch('instdisc', config, [0, 1, 2, 3, 4, 5, 6, 7], 1);
    optimiseStep(inst, optimizer, b1, ctxAt(0));
    const z = inst.normalizer!;
    // Z ≈ n·E[exp(v·bank/τ)] with random unit rows in 128-d: near n, finite and positive.
    expect(Number.isFinite(z) && z > 0).toBe(true);
    for (let s = 1; s < 4; s++) {
      const b = randomBatch('instdisc', config, [8 * s, 8 * s + 1, 8 * s + 2, 8 * s + 3], s + 1);
      optimiseStep(inst, optimizer, b, ctxAt(s));
      tf.dispose(b.views);
      expect(inst.normalizer).toBe(z);
    }
    tf.dispose(b1.views);
    optimizer.dispose();
    inst.dispose();
  });

  it('caps the noise samples at the dataset size', () => {
    const { instance } = createInstance('instdisc', { noiseSamples: 4096 }, { trainSize: 100 });
    expect((instance as InstDiscInstance).noiseSamples).toBe(100);
    instance.dispose();
  });

  it('writes normalize(0.5·old + 0.5·v̂) into the batch rows of the bank after the step, nothing else', () => {
    const { instance, config } = createInstance('instdisc', { noiseSamples: 8 });
    const inst = instance as InstDiscInstance;
    const batch = randomBatch('instdisc', config, [5, 9, 40, 63], 3);
    const before = tf.clone(inst.bank.rows);
    // v̂ of this batch as the step computes it (training-mode BN uses batch statistics: same values).
    const v = tf.tidy(() =>
      l2Normalize(inst.head.forward(inst.encoder.forward(batch.views[0]!, true), true) as tf.Tensor2D),
    );
    tf.tidy(() => {
      inst.step(batch);
    });
    // Nothing changes before afterStep (the bank update happens after the optimiser step).
    expect(maxAbsDiff(inst.bank.rows, before)).toBe(0);
    inst.afterStep(batch);
    const idx = Array.from(batch.indices);
    const expected = tf.tidy(() => l2Normalize(tf.add(tf.mul(tf.gather(before, idx), 0.5), tf.mul(v, 0.5))));
    expect(maxAbsDiff(inst.bank.gather(idx), expected)).toBeLessThan(1e-5);
    const others = Array.from({ length: 64 }, (_, i) => i).filter((i) => !idx.includes(i));
    expect(maxAbsDiff(inst.bank.gather(others), tf.gather(before, others))).toBe(0);
    tf.dispose([before, v, expected, ...batch.views]);
    inst.dispose();
  });

  it('declares paper defaults and one view', async () => {
    const { getMethod, resolveConfig } = await import('../../src-main/engine/methods');
    const m = getMethod('instdisc');
    const c = resolveConfig(m, {});
    expect(c).toMatchObject({
      temperature: 0.07,
      featureDim: 128,
      bankMomentum: 0.5,
      lr: 0.03,
      cropMinScale: 0.2,
    });
    expect(m.viewPlan(c, 32).global).toHaveLength(1);
    expect(m.family).toBe('memory-bank');
  });
});
