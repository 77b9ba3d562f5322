import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { collapseTranspose } from '../../../src-main/engine/backend/kernels/transpose';
import { compareWasmToCpu } from './compare';

describe('collapseTranspose', () => {
  it('drops size-1 axes and merges axes that stay adjacent', () => {
    expect(collapseTranspose([8, 5, 6, 4], [3, 1, 2, 0])).toEqual({ shape: [8, 30, 4], perm: [2, 1, 0] });
    expect(collapseTranspose([8, 5, 6, 4], [1, 2, 0, 3])).toEqual({ shape: [8, 30, 4], perm: [1, 0, 2] });
    expect(collapseTranspose([2, 1, 3], [2, 1, 0])).toEqual({ shape: [2, 3], perm: [1, 0] });
    expect(collapseTranspose([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], perm: [0] });
  });
});

describe('wasm Transpose (SIMD for the filter-gradient layouts) matches the cpu backend exactly', () => {
  const cases: [number[], number[]][] = [
    // NHWC -> CHWN and -> HWNC, sizes that take the SIMD loops …
    [
      [8, 5, 3, 12],
      [3, 1, 2, 0],
    ],
    [
      [4, 2, 2, 4],
      [3, 1, 2, 0],
    ],
    [
      [8, 5, 3, 12],
      [1, 2, 0, 3],
    ],
    [
      [3, 3, 8, 16],
      [1, 2, 0, 3],
    ],
    [
      [12, 3, 3, 4],
      [1, 2, 0, 3],
    ],
    // … and ones that go to the native kernel (not multiples of 4, other permutations).
    [
      [6, 5, 3, 12],
      [3, 1, 2, 0],
    ],
    [
      [8, 5, 3, 10],
      [1, 2, 0, 3],
    ],
    [
      [8, 5, 3, 12],
      [0, 3, 1, 2],
    ],
    [
      [7, 9],
      [1, 0],
    ],
  ];
  for (const [shape, perm] of cases) {
    it(`[${shape}] by [${perm}]`, async () => {
      const err = await compareWasmToCpu(() =>
        tf.transpose(tf.randomNormal(shape, 0, 1, 'float32', 5), perm),
      );
      expect(err).toBe(0);
    });
  }

  it('int32 too', async () => {
    const err = await compareWasmToCpu(() =>
      tf.cast(
        tf.transpose(tf.cast(tf.randomUniform([8, 3, 2, 8], -99, 99, 'float32', 6), 'int32'), [3, 1, 2, 0]),
        'float32',
      ),
    );
    expect(err).toBe(0);
  });
});
