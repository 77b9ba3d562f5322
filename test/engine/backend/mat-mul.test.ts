import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { compareWasmToCpu } from './compare';

const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Operand shapes for a [..., m, k] x [..., k, n] product with the given transposes. */
function operands(batch: number[], m: number, k: number, n: number, ta: boolean, tb: boolean, seed: number) {
  return {
    a: r([...batch, ...(ta ? [k, m] : [m, k])], seed),
    b: r([...batch, ...(tb ? [n, k] : [k, n])], seed + 1),
  };
}

describe('wasm BatchMatMul and _FusedMatMul (transposed operands take the fast path)', () => {
  it('match the cpu backend for every transpose combination, 2-D and batched', async () => {
    const failures: string[] = [];
    let seed = 1;
    for (const batch of [[], [3], [2, 2]]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const s = (seed += 2);
          const err = await compareWasmToCpu(() => {
            const { a, b } = operands(batch, 5, 7, 3, ta, tb, s);
            return [
              tf.matMul(a, b, ta, tb),
              tf.fused.matMul({
                a,
                b,
                transposeA: ta,
                transposeB: tb,
                bias: r([3], s + 9),
                activation: 'relu',
              }),
            ];
          });
          if (!(err < 1e-5)) failures.push(`batch ${batch} ta ${ta} tb ${tb}: ${err}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('broadcast a 2-D operand against a batch, with and without bias', async () => {
    const err = await compareWasmToCpu(() => [
      tf.matMul(r([2, 4, 6], 1), r([5, 6], 2), false, true),
      tf.matMul(r([6, 4], 3), r([3, 6, 5], 4), true, false),
      // A dense layer over tokens, as in a ViT: the native kernel got the bias wrong here.
      tf.fused.matMul({ a: r([3, 5, 7], 5), b: r([7, 4], 6), bias: r([4], 7), activation: 'relu' }),
      tf.fused.matMul({
        a: r([3, 7, 5], 5),
        b: r([4, 7], 6),
        bias: r([4], 7),
        transposeA: true,
        transposeB: true,
      }),
    ]);
    expect(err).toBeLessThan(1e-5);
  });

  it('give the same dense-layer gradients as cpu', async () => {
    const err = await compareWasmToCpu(() => {
      const x = r([16, 24], 5);
      const w = r([24, 8], 6);
      const z = r([16, 8], 7);
      // A dense layer and a similarity matrix: the gradient uses both a^T * dy and dy * b^T.
      const loss = (wt: tf.Tensor) => {
        const h = tf.matMul(x, wt);
        return tf.add(tf.sum(tf.mul(h, z)), tf.sum(tf.square(tf.matMul(h, h, false, true))));
      };
      return tf.grad(loss)(w);
    });
    expect(err).toBeLessThan(1e-5);
  });
});
