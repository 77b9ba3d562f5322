import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { evaluateLossFixture } from '../../../src-main/engine/losses';
import { instDiscSoftmaxReference as reference, unitRows } from './instdisc-softmax-reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

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
