import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { compareWasmToCpu } from './compare';

describe('wasm DepthToSpace (block copies in NHWC) matches the cpu backend', () => {
  const cases: [[number, number, number, number], number][] = [
    [[2, 3, 4, 8], 2],
    [[1, 5, 2, 18], 3],
    [[3, 4, 4, 4], 2],
    [[2, 2, 3, 1 * 16], 4],
  ];
  for (const [shape, block] of cases) {
    it(`[${shape}] block ${block}`, async () => {
      const err = await compareWasmToCpu(() =>
        tf.depthToSpace(tf.randomNormal(shape, 0, 1, 'float32', 3) as tf.Tensor4D, block),
      );
      expect(err).toBe(0);
    });
  }
});
