import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { ResNet18 } from '../../../src-main/engine/nn/backbones';
import { Rng } from '../../../src-main/engine/util/rng';
import { compareWasmToCpu } from './compare';
import { fusedBatchNormWithGrads as fusedWithGrads } from './batch-norm-cases';

describe('fused batch-norm kernels on wasm match the cpu backend', () => {
  // C a multiple of 4 runs the SIMD passes, other C the JS loops.
  const cases: [string, number[], boolean, boolean][] = [
    ['plain, C = 9 (JS)', [6, 7, 5, 9], false, false],
    ['+ ReLU, C = 9 (JS)', [6, 7, 5, 9], true, false],
    ['+ residual + ReLU, C = 7 (JS)', [4, 5, 5, 7], true, true],
    ['plain, C = 12 (SIMD)', [6, 7, 5, 12], false, false],
    ['+ ReLU, C = 8 (SIMD)', [6, 7, 5, 8], true, false],
    ['+ residual + ReLU, C = 16 (SIMD)', [4, 8, 8, 16], true, true],
    ['+ residual + ReLU, C = 4, more rows than a block (SIMD)', [64, 9, 9, 4], true, true],
    ['[N, D] + ReLU, D = 33 (JS)', [12, 33], true, false],
    ['[N, D] + ReLU, D = 1024, rows < a block (SIMD)', [6, 1024], true, false],
  ];
  for (const [name, shape, relu, residual] of cases) {
    it(name, async () => {
      expect(await compareWasmToCpu(() => fusedWithGrads(shape, relu, residual))).toBeLessThan(1e-5);
    });
  }
});

describe('wasm Identity and same-dtype Cast share the data instead of copying it', () => {
  it('allocate nothing on the wasm heap and give the same values', async () => {
    await initBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomNormal([64, 64], 0, 1, 'float32', 9);
    const before = backend.numDataIds();
    const copies = [tf.clone(x), tf.cast(x, 'float32')];
    expect(backend.numDataIds()).toBe(before);
    for (const c of copies) expect(Array.from(await c.data())).toEqual(Array.from(await x.data()));
    // The shared data outlives the original, and goes with the last tensor on it.
    x.dispose();
    expect(Array.from(await copies[0]!.data()).length).toBe(64 * 64);
    tf.dispose(copies);
    expect(backend.numDataIds()).toBe(before - 1);
    // A real conversion still converts.
    const ints = tf.cast(tf.tensor1d([1.7, -2.2]), 'int32');
    expect(Array.from(await ints.data())).toEqual([1, -2]);
    ints.dispose();
  });
});

describe('a ResNet-18 training step on wasm (SIMD batch norm) matches the cpu backend', () => {
  it('loss and every parameter gradient', async () => {
    // 16×16 images: at 8×8 the last stage's batch norm sees 4 values a channel, and rounding the input
    // differently by one ulp moved the cpu backend's own gradients by up to 1.3e-4, past the bound.
    const err = await compareWasmToCpu(() => {
      const net = new ResNet18(4, new Rng(3));
      const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 21);
      const params = net.parameters();
      const { value, grads } = tf.variableGrads(() => {
        const y = net.forward(x, true);
        return tf.sum(tf.mul(y, tf.linspace(-1, 1, y.shape[1]!))) as tf.Scalar;
      }, params);
      const out = [
        value,
        ...params.map((p) => grads[p.name]!),
        ...net.namedBuffers().map(([, v]) => v.clone()),
      ];
      net.dispose();
      return out;
    });
    expect(err).toBeLessThan(1e-4);
  });
});
