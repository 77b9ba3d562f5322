import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { setNativeKernelsEnabled } from '../../../src-main/engine/backend/dnnl';
import { batchNormTrain } from '../../../src-main/engine/backend/kernels/batch-norm-train';

describe('wasm heap beyond 2 GiB', () => {
  // emscripten's malloc returns addresses as signed 32-bit ints; MoCo v3's ViT run on the CIFAR subset
  // grows the heap past 2 GiB, where batch norm's scratch address came back negative.
  it('batch norm (native and wasm passes) still normalises with its scratch memory above 2 GiB', async () => {
    await initBackend('wasm');
    const filler = tf.zeros([2 ** 29 + 2 ** 20], 'float32'); // 2 GiB + 4 MiB, keeps what follows above it
    try {
      for (const native of [true, false]) {
        setNativeKernelsEnabled(native);
        const { y, mean, variance } = tf.tidy(() => {
          const x = tf.add(tf.mul(tf.randomNormal([64, 8], 0, 1, 'float32', 3), 2), 5);
          const out = batchNormTrain(x, tf.ones([8]), tf.zeros([8]), 1e-5, false);
          return { y: out.y, mean: out.mean, variance: out.variance };
        });
        const m = await mean.data();
        const v = await variance.data();
        for (const value of m) expect(value).toBeGreaterThan(4);
        for (const value of v) expect(value).toBeGreaterThan(1);
        const normalised = await tf.moments(y, 0).variance.data();
        for (const value of normalised) expect(value).toBeCloseTo(1, 3);
        tf.dispose([y, mean, variance]);
      }
    } finally {
      setNativeKernelsEnabled(true);
      filler.dispose();
    }
  });
});
