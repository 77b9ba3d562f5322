import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { l2Normalize } from '../../../src-main/engine/losses/common';
import {
  estimateNceNormalizer,
  MemoryBank,
  sampleNoiseIndices,
} from '../../../src-main/engine/methods/memory-bank';
import { Rng } from '../../../src-main/engine/util/rng';
import { maxAbsDiff } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('MemoryBank', () => {
  it('starts as random unit vectors', () => {
    const bank = new MemoryBank(50, 16, new Rng(1));
    const norms = tf.tidy(() => tf.norm(bank.rows, 2, 1).arraySync() as number[]);
    for (const v of norms) expect(v).toBeCloseTo(1, 5);
    // Random directions: far from all equal.
    const spread = tf.tidy(() => tf.moments(bank.rows, 0).variance.mean().dataSync()[0]!);
    expect(spread).toBeGreaterThan(0.03);
    bank.dispose();
  });

  it('updates exactly the given rows to normalize(0.5·old + 0.5·v̂) and leaves the others untouched', () => {
    const bank = new MemoryBank(20, 8, new Rng(2));
    const before = tf.clone(bank.rows);
    const indices = [3, 17, 0];
    const v = tf.randomNormal([3, 8], 0, 3, 'float32', 7) as tf.Tensor2D;
    bank.momentumUpdate(indices, v, 0.5);
    const expected = tf.tidy(() =>
      l2Normalize(tf.add(tf.mul(tf.gather(before, indices), 0.5), tf.mul(l2Normalize(v), 0.5))),
    );
    expect(maxAbsDiff(bank.gather(indices), expected)).toBeLessThan(1e-6);
    const others = Array.from({ length: 20 }, (_, i) => i).filter((i) => !indices.includes(i));
    expect(maxAbsDiff(bank.gather(others), tf.gather(before, others))).toBe(0);
    tf.dispose([before, v, expected]);
    bank.dispose();
  });

  it('setRows writes rows verbatim and rejects a shape mismatch', () => {
    const bank = new MemoryBank(10, 4, new Rng(3));
    const rows = tf.tensor2d([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    bank.setRows([9, 4], rows);
    expect(bank.gather([9, 4]).arraySync()).toEqual(rows.arraySync());
    expect(() => bank.setRows([1], rows)).toThrow(/indices/);
    rows.dispose();
    bank.dispose();
  });

  it('estimates Z as n · mean exp(v̂·bank_noise/τ) (Wu et al. Eq. 6)', () => {
    const rng = new Rng(4);
    const bank = new MemoryBank(30, 4, rng);
    const v = tf.randomNormal([5, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    const noise = sampleNoiseIndices(rng, 5, 7, 30);
    const z = estimateNceNormalizer(v, bank.rows, noise, 0.1);
    const vn = l2Normalize(v).arraySync() as number[][];
    const rows = bank.rows.arraySync() as number[][];
    const idx = noise.arraySync() as number[][];
    let sum = 0;
    for (let b = 0; b < 5; b++) {
      for (const j of idx[b]!) sum += Math.exp(vn[b]!.reduce((s, x, d) => s + x * rows[j]![d]!, 0) / 0.1);
    }
    expect(Math.abs(z / ((30 * sum) / 35) - 1)).toBeLessThan(1e-5);
    const all = idx.flat();
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThan(30);
    tf.dispose([v, noise]);
    bank.dispose();
  });

  it('averages the own rows into Z too when given them, as the released NCEAverage does (K+1 scores)', () => {
    const rng = new Rng(5);
    const bank = new MemoryBank(30, 4, rng);
    const v = tf.randomNormal([5, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
    const noise = sampleNoiseIndices(rng, 5, 7, 30);
    const own = tf.tensor1d([4, 0, 29, 13, 4], 'int32');
    const z = estimateNceNormalizer(v, bank.rows, noise, 0.1, own);
    const vn = l2Normalize(v).arraySync() as number[][];
    const rows = bank.rows.arraySync() as number[][];
    const idx = noise.arraySync() as number[][];
    const ownIdx = own.arraySync() as number[];
    let sum = 0;
    for (let b = 0; b < 5; b++) {
      for (const j of [ownIdx[b]!, ...idx[b]!]) {
        sum += Math.exp(vn[b]!.reduce((s, x, d) => s + x * rows[j]![d]!, 0) / 0.1);
      }
    }
    expect(Math.abs(z / ((30 * sum) / 40) - 1)).toBeLessThan(1e-5);
    // Not the noise-only estimate: the own rows change it.
    expect(Math.abs(z / estimateNceNormalizer(v, bank.rows, noise, 0.1) - 1)).toBeGreaterThan(1e-4);
    tf.dispose([v, noise, own]);
    bank.dispose();
  });
});
