import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { compareWasmToCpu, runOn } from './compare';

/** Segment ids in [lo, hi), seeded, with plenty of duplicates. */
function ids(shape: number[], lo: number, hi: number, seed: number): tf.Tensor1D {
  return <tf.Tensor1D>tf.cast(tf.floor(tf.randomUniform(shape, lo, hi, 'float32', seed)), 'int32');
}

describe('wasm UnsortedSegmentSum', () => {
  it('matches the cpu backend over a grid of shapes and segment counts', async () => {
    const failures: string[] = [];
    let seed = 3;
    for (const [dataShape, idsRank] of [
      [[7], 1],
      [[12, 5], 1],
      [[9, 3, 4], 1],
      [[4, 6, 3, 2], 1],
      [[50, 16], 1],
    ] as [number[], number][]) {
      for (const numSegments of [1, 4, 13]) {
        const s = (seed += 2);
        const err = await compareWasmToCpu(() =>
          tf.unsortedSegmentSum(
            tf.randomNormal(dataShape, 0, 1, 'float32', s),
            ids(dataShape.slice(0, idsRank), 0, numSegments, s + 1),
            numSegments,
          ),
        );
        if (!(err < 1e-5)) failures.push(`${dataShape}/${idsRank}/${numSegments}: ${err}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('sums int32 data', async () => {
    const err = await compareWasmToCpu(() =>
      tf.cast(tf.unsortedSegmentSum(ids([20, 3], -5, 5, 1), ids([20], 0, 6, 2), 6), 'float32'),
    );
    expect(err).toBe(0);
  });

  it('drops out-of-range ids, including rows holding NaN, as TensorFlow does', async () => {
    const { values } = await runOn('wasm', () =>
      tf.unsortedSegmentSum(
        tf.tensor2d([[1], [2], [NaN], [4], [8]]),
        tf.tensor1d([0, 2, -1, 3, 0], 'int32'),
        3,
      ),
    );
    expect(Array.from(values[0])).toEqual([9, 0, 2]);
  });

  it('is the gradient of gather, so gather is trainable on wasm', async () => {
    const err = await compareWasmToCpu(() => {
      const table = tf.randomNormal([10, 4], 0, 1, 'float32', 5);
      const idx = tf.tensor1d([1, 3, 3, 9, 0, 1], 'int32');
      const byRow = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, idx))))(table);
      const byCol = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.exp(tf.gather(t, tf.tensor1d([2, 2, 0], 'int32'), 1))),
      )(table);
      return [byRow, byCol];
    });
    expect(err).toBeLessThan(1e-5);
  });
});
