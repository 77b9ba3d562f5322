import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { l2Normalize } from '../../../src-main/engine/losses/common';
import { instDiscNceLoss } from '../../../src-main/engine/losses/instdisc_nce';
import { instDiscSoftmaxLoss } from '../../../src-main/engine/losses/instdisc_softmax';
import type { InstDiscInstance } from '../../../src-main/engine/methods/instdisc';
import { estimateNceNormalizer, MemoryBank } from '../../../src-main/engine/methods/memory-bank';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { Rng } from '../../../src-main/engine/util/rng';
import { instDiscSoftmaxReference as softmaxReference, unitRows } from '../losses/instdisc-softmax-reference';
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

  it('trains one epoch with NCE (noiseSamples > 0) without NaN/Inf', async () => {
    expectHealthyRun(await trainTiny('instdisc', { noiseSamples: 64 }));
  });

  it('computes the exact softmax loss and its gradient (Eq. 2, with and without the proximal term)', () => {
    const bankRows = unitRows(12, 6, 5);
    const vRows = unitRows(4, 6, 6).map((r, b) => r.map((x) => x * (0.5 + b)));
    const index = [3, 0, 11, 7];
    for (const [tau, lambda] of [
      [0.1, 0],
      [0.07, 3],
    ] as const) {
      const ref = softmaxReference(vRows, bankRows, index, tau, lambda);
      const v = tf.tensor2d(vRows);
      const bank = tf.tensor2d(bankRows);
      const idx = tf.tensor1d(index, 'int32');
      const opts = { temperature: tau, proximalLambda: lambda, bankMomentum: 0.5 };
      const { loss, updatedBankRows } = instDiscSoftmaxLoss(v, bank, idx, opts);
      expect(Math.abs(loss.dataSync()[0]! - ref.loss)).toBeLessThan(1e-4 * Math.max(1, ref.loss));
      const g = tf.grad((x: tf.Tensor) => instDiscSoftmaxLoss(x as tf.Tensor2D, bank, idx, opts).loss)(v);
      const gRef = tf.tensor2d(ref.grad);
      expect(maxAbsDiff(g, gRef)).toBeLessThan(1e-4);
      // The bank rows it returns: normalize(0.5·bank[i] + 0.5·v̂), from the rows read before any update.
      const expected = tf.tidy(() =>
        l2Normalize(tf.add(tf.mul(tf.gather(bank, idx), 0.5), tf.mul(l2Normalize(v), 0.5))),
      );
      expect(maxAbsDiff(updatedBankRows, expected)).toBeLessThan(1e-6);
      tf.dispose([v, bank, idx, loss, updatedBankRows, g, gRef, expected]);
    }
  });

  it('keeps the softmax loss finite where exp(s/τ) overflows float32', () => {
    // s/τ = 1/0.005 = 200 and exp(200) > 3.4e38: the loss must come from a max-shifted log-sum-exp.
    const bankRows = unitRows(5, 4, 8);
    const v = tf.tensor2d([bankRows[2]!, bankRows[4]!]);
    const bank = tf.tensor2d(bankRows);
    const idx = tf.tensor1d([2, 1], 'int32');
    const opts = { temperature: 0.005, proximalLambda: 0, bankMomentum: 0.5 };
    const { loss, updatedBankRows } = instDiscSoftmaxLoss(v, bank, idx, opts);
    const ref = softmaxReference(v.arraySync(), bankRows, [2, 1], 0.005, 0).loss;
    expect(Number.isFinite(loss.dataSync()[0]!)).toBe(true);
    expect(Math.abs(loss.dataSync()[0]! - ref)).toBeLessThan(1e-3 * ref);
    const g = tf.grad((x: tf.Tensor) => instDiscSoftmaxLoss(x as tf.Tensor2D, bank, idx, opts).loss)(v);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([v, bank, idx, loss, updatedBankRows, g]);
  });

  it('softmax gives no common push when every bank row points one way; NCE with Z from a random bank does', () => {
    // The failure mode that made NCE the wrong default here: Z is estimated while the bank is random, then the
    // bank fills with features that all point roughly one way. Extreme case: every row is the same unit u.
    const n = 256;
    const d = 16;
    const u = unitRows(1, d, 9)[0]!;
    const same = tf.tensor2d(Array.from({ length: n }, () => u));
    // Features close to u, as a fresh network's features are close to each other.
    const v = tf.tensor2d(unitRows(8, d, 10).map((r) => r.map((x, k) => u[k]! + 0.3 * x)));
    const idx = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const common = { temperature: 0.1, proximalLambda: 0, bankMomentum: 0.5 };
    const gSoft = tf.grad((x: tf.Tensor) => instDiscSoftmaxLoss(x as tf.Tensor2D, same, idx, common).loss)(v);
    expect(tf.max(tf.abs(gSoft)).dataSync()[0]!).toBeLessThan(1e-5);

    const random = new MemoryBank(n, d, new Rng(11));
    const noise = tf.tensor2d(
      Array.from({ length: 8 }, (_, b) => Array.from({ length: 64 }, (_, j) => (b * 64 + j) % n)),
      [8, 64],
      'int32',
    );
    const z = estimateNceNormalizer(v, random.rows, noise, 0.1, idx);
    const nce = (x: tf.Tensor) => instDiscNceLoss(x as tf.Tensor2D, same, idx, noise, { ...common, z }).loss;
    const gNce = tf.grad(nce)(v);
    // Every feature is pushed away from u (gradient descent moves along −g, and g·u > 0), and hard.
    const along = tf.sum(tf.mul(gNce, tf.tensor1d(u)), 1).arraySync() as number[];
    for (const a of along) expect(a).toBeGreaterThan(1);
    tf.dispose([same, v, idx, gSoft, noise, gNce]);
    random.dispose();
  });

  it('uses the exact softmax by default: no Z, no noise samples', () => {
    const { instance, config } = createInstance('instdisc', {});
    const inst = instance as InstDiscInstance;
    expect(inst.noiseSamples).toBe(0);
    const optimizer = createOptimizer(inst.trainableParameters(), {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    const batch = randomBatch('instdisc', config, [0, 1, 2, 3, 4, 5, 6, 7], 1);
    const loss = optimiseStep(inst, optimizer, batch, ctxAt(0));
    // With a random bank every row is about equally likely: the loss is near log n.
    expect(Math.abs(loss - Math.log(64))).toBeLessThan(1.5);
    expect(inst.normalizer).toBeNull();
    tf.dispose(batch.views);
    optimizer.dispose();
    inst.dispose();
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

  it.each([0, 8])(
    'writes normalize(0.5·old + 0.5·v̂) into the batch rows after the step, nothing else (noiseSamples %i)',
    (noiseSamples) => {
      const { instance, config } = createInstance('instdisc', { noiseSamples });
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
      const expected = tf.tidy(() =>
        l2Normalize(tf.add(tf.mul(tf.gather(before, idx), 0.5), tf.mul(v, 0.5))),
      );
      expect(maxAbsDiff(inst.bank.gather(idx), expected)).toBeLessThan(1e-5);
      const others = Array.from({ length: 64 }, (_, i) => i).filter((i) => !idx.includes(i));
      expect(maxAbsDiff(inst.bank.gather(others), tf.gather(before, others))).toBe(0);
      tf.dispose([before, v, expected, ...batch.views]);
      inst.dispose();
    },
  );

  it('declares the released CIFAR recipe as defaults and one view', async () => {
    const { getMethod, resolveConfig } = await import('../../../src-main/engine/methods');
    const m = getMethod('instdisc');
    const c = resolveConfig(m, {});
    // lemniscate.pytorch cifar.py / README: nce-k 0 (exact softmax), nce-t 0.1, nce-m 0.5, low-dim 128,
    // lr 0.03 at batch 128 (0.06 per 256 under our linear scaling), weight decay 5e-4, crop scale 0.2, no flip.
    expect(c).toMatchObject({
      temperature: 0.1,
      featureDim: 128,
      noiseSamples: 0,
      bankMomentum: 0.5,
      proximalLambda: 0,
      lr: 0.06,
      batchSize: 128,
      weightDecay: 5e-4,
      warmupEpochs: 0,
      cropMinScale: 0.2,
      flipProb: 0,
    });
    expect(m.viewPlan(c, 32).global).toHaveLength(1);
    expect(m.family).toBe('memory-bank');
  });
});
