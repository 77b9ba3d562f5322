import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { broadcastPlan } from '../../../src-main/engine/backend/kernels/tile';
import { compareWasmToCpu, runOn } from './compare';

describe('wasm Tile (native kernel wrapped with a broadcasting multiply for float32)', () => {
  it('matches the cpu backend exactly over shapes and repetitions', async () => {
    const failures: string[] = [];
    let seed = 1;
    for (const [shape, reps] of [
      [
        [1, 1, 1, 16],
        [32, 8, 8, 1],
      ], // the batchNorm gradient's pattern
      [[3], [4]],
      [
        [2, 3],
        [1, 1],
      ],
      [
        [2, 3],
        [3, 2],
      ],
      [
        [2, 1, 3],
        [1, 5, 1],
      ],
      [
        [2, 3, 4],
        [2, 2, 2],
      ],
      [
        [2, 2, 2, 2],
        [2, 2, 2, 2],
      ], // rank 8 once interleaved: falls back to the native kernel
      [
        [1, 2, 1, 3, 1],
        [2, 1, 3, 1, 2],
      ],
    ] as [number[], number[]][]) {
      const s = seed++;
      const err = await compareWasmToCpu(() => tf.tile(tf.randomNormal(shape, 0, 1, 'float32', s), reps));
      if (err !== 0) failures.push(`${shape} x ${reps}: ${err}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps NaN, infinities and -0, and tiles int32 and bool', async () => {
    const { values } = await runOn('wasm', () => [
      tf.tile(tf.tensor1d([NaN, Infinity, -Infinity, -0]), [2]),
      tf.cast(tf.tile(tf.tensor2d([[1, -2]], [1, 2], 'int32'), [2, 2]), 'float32'),
      tf.cast(tf.tile(tf.tensor1d([true, false], 'bool'), [2]), 'float32'),
    ]);
    expect(Array.from(values[0])).toEqual([NaN, Infinity, -Infinity, -0, NaN, Infinity, -Infinity, -0]);
    expect(Object.is(values[0][3], -0)).toBe(true);
    expect(Array.from(values[1])).toEqual([1, -2, 1, -2, 1, -2, 1, -2]);
    expect(Array.from(values[2])).toEqual([1, 0, 1, 0]);
  });

  it('merges runs of repeated and copied dimensions', () => {
    expect(broadcastPlan([1, 1, 1, 16], [32, 8, 8, 1])).toEqual({ x: [1, 16], ones: [2048, 1] });
    expect(broadcastPlan([2, 3], [1, 1])).toEqual({ x: [6], ones: [1] });
    expect(broadcastPlan([1], [1])).toEqual({ x: [1], ones: [1] });
    expect(broadcastPlan([2, 2, 2, 2], [2, 2, 2, 2])).toBeNull();
  });
});
