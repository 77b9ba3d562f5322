import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { webgpuConv2DBackpropFilter } from '../../../src-main/engine/backend/webgpu-kernels';

// The webgpu kernel is composed of tf ops, so it runs on the cpu backend here and is checked against
// the cpu backend's own Conv2DBackpropFilter.
type Shape4 = [number, number, number, number];
const cases: { name: string; x: Shape4; filter: Shape4; strides: number; pad: 'same' | 'valid' | number }[] =
  [
    { name: '3x3 same stride 1', x: [3, 8, 8, 4], filter: [3, 3, 4, 5], strides: 1, pad: 'same' },
    { name: '3x3 same stride 2', x: [2, 9, 9, 3], filter: [3, 3, 3, 6], strides: 2, pad: 'same' },
    { name: '1x1 stride 2 (shortcut)', x: [4, 8, 8, 6], filter: [1, 1, 6, 8], strides: 2, pad: 0 },
    { name: '3x3 valid stride 2', x: [2, 10, 7, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
    { name: 'one image, explicit pad 1', x: [1, 5, 5, 2], filter: [3, 3, 2, 2], strides: 1, pad: 1 },
  ];

describe('webgpu Conv2DBackpropFilter (im2col matmul)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const c of cases) {
    it(`matches the cpu kernel: ${c.name}`, () => {
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.zeros(c.filter) as tf.Tensor4D;
      const pad = c.pad;
      const yShape = tf.conv2d(x, w, c.strides, pad).shape;
      const dy = tf.randomNormal(yShape, 0, 1, 'float32', 2);
      const attrs = {
        strides: c.strides,
        pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: c.filter,
      };
      const expected = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as never) as tf.Tensor;
      const actual = webgpuConv2DBackpropFilter.kernelFunc({
        inputs: { x, dy },
        attrs: attrs as never,
        backend: tf.backend(),
      }) as tf.Tensor;
      expect(actual.shape).toEqual(c.filter);
      const diff = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]!;
      const scale = tf.max(tf.abs(expected)).dataSync()[0]!;
      expect(scale).toBeGreaterThan(0);
      expect(diff / scale).toBeLessThan(1e-5);
      tf.dispose([x, w, dy, expected, actual]);
    });
  }
});
