import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { compareWasmToCpu, runOn } from './compare';

function ids(shape: number[], hi: number, seed: number): tf.Tensor {
  return tf.cast(tf.floor(tf.randomUniform(shape, 0, hi, 'float32', seed)), 'int32');
}

describe('wasm GatherV2 (native kernel wrong for batchDims > 0)', () => {
  it('picks each row its own label: gather(logits, labels, 1, 1)', async () => {
    const { values } = await runOn('wasm', () =>
      tf.gather(
        tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        tf.tensor1d([2, 0], 'int32'),
        1,
        1,
      ),
    );
    expect(Array.from(values[0])).toEqual([3, 4]);
  });

  it('matches the cpu backend over axes, batchDims and index shapes', async () => {
    const failures: string[] = [];
    let seed = 1;
    // [x shape, indices shape, axis, batchDims]
    for (const [xShape, idxShape, axis, batchDims] of [
      [[5, 7], [4], 0, 0],
      [[5, 7], [3, 2], 1, 0],
      [[5, 7], [5], 1, 1],
      [[5, 7], [5, 3], 1, 1],
      [[4, 3, 6], [4, 5], 2, 1],
      [[4, 3, 6], [4, 2], 1, 1],
      [[4, 3, 6, 2], [4, 3, 2], 2, 2],
      [[2, 3, 5, 2], [2, 3, 4], -2, 2],
      [[6, 4], [6, 1], 1, -1],
    ] as [number[], number[], number, number][]) {
      const s = (seed += 2);
      const dim = xShape[axis < 0 ? axis + xShape.length : axis];
      const err = await compareWasmToCpu(() =>
        tf.gather(tf.randomNormal(xShape, 0, 1, 'float32', s), ids(idxShape, dim, s + 1), axis, batchDims),
      );
      if (!(err === 0)) failures.push(`${xShape}/${idxShape}/${axis}/${batchDims}: ${err}`);
    }
    expect(failures).toEqual([]);
  });

  it('gathers int32 data with batchDims', async () => {
    const err = await compareWasmToCpu(() =>
      tf.cast(tf.gather(ids([3, 4], 100, 1), ids([3, 2], 4, 2), 1, 1), 'float32'),
    );
    expect(err).toBe(0);
  });

  it('rejects an out-of-range index instead of reading another batch row', async () => {
    await initBackend('wasm');
    expect(() =>
      tf.gather(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor1d([0, 2], 'int32'),
        1,
        1,
      ),
    ).toThrow(/index value 2/);
  });
});
