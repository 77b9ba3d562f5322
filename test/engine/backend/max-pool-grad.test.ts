import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { compareWasmToCpu, runOn } from './compare';

type Pad = 'same' | 'valid' | number;

/** Max-pool output and the input gradient for a random upstream gradient. */
function poolAndGrad(
  x: tf.Tensor4D,
  k: number | [number, number],
  s: number,
  pad: Pad,
  seed: number,
): tf.Tensor[] {
  const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, k, s, pad);
  const y = pool(x);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed);
  return [y, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), dy)))(x)];
}

describe('wasm MaxPoolGrad (native kernel misroutes windows whose max is <= 0)', () => {
  it('sends each window gradient to its maximum even when all values are negative', async () => {
    const x = [-4, -1, -3, -2]; // one 2x2 window; the max is -1 at index 1
    const { values } = await runOn('wasm', () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(
        tf.tensor4d(x, [1, 2, 2, 1]),
      ),
    );
    expect(Array.from(values[0])).toEqual([0, 1, 0, 0]);
  });

  it('matches the cpu backend over shapes, windows, strides and paddings', async () => {
    const failures: string[] = [];
    let seed = 1;
    for (const shape of [
      [2, 7, 7, 3],
      [1, 8, 6, 2],
    ]) {
      for (const [k, s] of [
        [2, 2],
        [3, 2],
        [3, 1],
        [[1, 3], 1],
      ] as [number | [number, number], number][]) {
        for (const pad of ['same', 'valid', 1] as Pad[]) {
          if (typeof pad === 'number' && (Array.isArray(k) ? Math.min(...k) : k) < 3) continue;
          const sd = (seed += 2);
          for (const shift of [0, -3]) {
            // shift -3: (almost) every window is all-negative, the case the native kernel gets wrong
            const err = await compareWasmToCpu(() =>
              poolAndGrad(
                tf.add(tf.randomNormal(shape, 0, 1, 'float32', sd), shift) as tf.Tensor4D,
                k,
                s,
                pad,
                sd + 1,
              ),
            );
            if (!(err < 1e-6)) failures.push(`${shape}/${k}/${s}/${pad}/shift ${shift}: ${err}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('breaks ties towards the first maximum, as the cpu backend does (relu zeros)', async () => {
    const err = await compareWasmToCpu(() => {
      const x = tf.relu(tf.sub(tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 5), 1)) as tf.Tensor4D;
      return poolAndGrad(x, 2, 2, 'valid', 6);
    });
    expect(err).toBe(0);
  });

  it('fixes MaxPoolWithArgmax the same way', async () => {
    const err = await compareWasmToCpu(() => {
      const x = tf.sub(tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 7), 3) as tf.Tensor4D;
      const { result, indexes } = tf.maxPoolWithArgmax(x, 3, 2, 'same', true);
      const noBatch = tf.maxPoolWithArgmax(x, 2, 2, 'valid', false).indexes;
      return [result, tf.cast(indexes, 'float32'), tf.cast(noBatch, 'float32')];
    });
    expect(err).toBe(0);
  });
});
