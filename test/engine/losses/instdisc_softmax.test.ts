import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { evaluateLossFixture } from '../../../src-main/engine/losses';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Unit rows of a seeded standard-normal [rows, dim] draw. */
function unitRows(rows: number, dim: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => {
    const r = Array.from({ length: dim }, () => rng.normal());
    const norm = Math.hypot(...r);
    return r.map((x) => x / norm);
  });
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const normalize = (r: number[]) => r.map((x) => x / Math.hypot(...r));

/**
 * Float64 reference of the exact-softmax instance discrimination loss (Wu et al. 2018, Eq. 2, with the
 * proximal term of Sec. 3.3): L = mean_b [logsumexp_j(v̂_b·bank_j/τ) − v̂_b·bank_i/τ + λ‖v̂_b − bank_i‖²], its
 * gradient w.r.t. the un-normalised v, and the bank rows normalize(m·bank_i + (1−m)·v̂_b) of Sec. 3.2.
 */
function reference(v: number[][], bank: number[][], index: number[], tau: number, lambda: number, m: number) {
  const n = v.length;
  let loss = 0;
  const grad = v.map((row, b) => {
    const norm = Math.hypot(...row);
    const vn = row.map((x) => x / norm);
    const own = bank[index[b]!]!;
    const logits = bank.map((r) => dot(vn, r) / tau);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    const p = logits.map((l) => Math.exp(l - lse));
    loss += (lse - dot(vn, own) / tau + lambda * vn.reduce((s, x, d) => s + (x - own[d]!) ** 2, 0)) / n;
    // dL/dv̂, then through v̂ = v/‖v‖: (I − v̂v̂ᵀ) g / ‖v‖.
    const g = vn.map(
      (x, d) =>
        (bank.reduce((s, r, j) => s + p[j]! * r[d]!, 0) / tau - own[d]! / tau + 2 * lambda * (x - own[d]!)) /
        n,
    );
    const gv = dot(vn, g);
    return g.map((x, d) => (x - vn[d]! * gv) / norm);
  });
  const updated = v.map((row, b) =>
    normalize(bank[index[b]!]!.map((x, d) => m * x + (1 - m) * normalize(row)[d]!)),
  );
  return { loss, grad, updated };
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i]![j]!))));
}

describe('instdisc_softmax through its description (no shared fixture exists)', () => {
  const bank = unitRows(12, 6, 5);
  const v = unitRows(4, 6, 6).map((r, b) => r.map((x) => x * (0.5 + b)));
  const index = [3, 0, 11, 7];

  for (const [tau, lambda, momentum] of [
    [0.1, 0, 0.5],
    [0.07, 3, 0.9],
  ] as const) {
    it(`matches the float64 reference (τ = ${tau}, λ = ${lambda}); the bank gets no gradient`, () => {
      const ref = reference(v, bank, index, tau, lambda, momentum);
      const result = evaluateLossFixture({
        loss: 'instdisc_softmax',
        params: { temperature: tau, proximal_lambda: lambda, bank_momentum: momentum },
        inputs: { v, bank, index },
      });
      expect(Object.keys(result)).toEqual(['loss', 'updated_bank_rows', 'grads']);
      expect(Object.keys(result.grads)).toEqual(['v', 'bank']);
      expect(Math.abs(result.loss - ref.loss)).toBeLessThan(1e-4 * Math.max(1, ref.loss));
      expect(maxAbsDiff(result.grads.v as number[][], ref.grad)).toBeLessThan(1e-4);
      expect((result.grads.bank as number[][]).flat().every((g) => g === 0)).toBe(true);
      expect(maxAbsDiff(result.updated_bank_rows as number[][], ref.updated)).toBeLessThan(1e-5);
    });
  }

  it('rejects indices outside the bank, in one line', () => {
    const fixture = {
      loss: 'instdisc_softmax',
      params: { temperature: 0.1, proximal_lambda: 0, bank_momentum: 0.5 },
      inputs: { v, bank, index: [3, 0, 12, 7] },
    };
    expect(() => evaluateLossFixture(fixture)).toThrow(
      /^Invalid instdisc_softmax fixture: inputs\.index holds 12 at flat position 2, outside \[0, 12\)/,
    );
  });
});
