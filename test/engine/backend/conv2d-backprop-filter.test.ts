import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { compareWasmToCpu } from './compare';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  x: [number, number, number, number]; // NHWC
  k: [number, number];
  co: number;
  strides: number | [number, number];
  pad: Pad;
}

const pads: Pad[] = [
  'same',
  'valid',
  1,
  [
    [0, 0],
    [2, 0],
    [0, 1],
    [0, 0],
  ],
];

function grid(): Case[] {
  const cases: Case[] = [];
  let seed = 0;
  for (const x of [
    [2, 8, 8, 3],
    [3, 9, 7, 4],
    [1, 5, 6, 1],
  ] as [number, number, number, number][]) {
    for (const k of [
      [1, 1],
      [3, 3],
      [5, 5],
      [3, 1],
    ] as [number, number][]) {
      for (const strides of [1, 2, [2, 1]] as (number | [number, number])[]) {
        for (const pad of pads) {
          cases.push({ x, k, co: 2 + (seed++ % 4), strides, pad });
        }
      }
    }
  }
  return cases;
}

function outShape(c: Case, dataFormat: 'NHWC' | 'NCHW'): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, [...c.k, c.x[3], c.co], c.strides, 1, c.pad);
  const [n, h, w, ch] = info.outShape;
  return dataFormat === 'NHWC' ? [n, h, w, ch] : [n, ch, h, w];
}

function backpropFilter(c: Case, seed: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  const xShape = dataFormat === 'NHWC' ? c.x : [c.x[0], c.x[3], c.x[1], c.x[2]];
  const x = tf.randomNormal(xShape, 0, 1, 'float32', seed);
  const dy = tf.randomNormal(outShape(c, dataFormat), 0, 1, 'float32', seed + 1);
  const filterShape = [...c.k, c.x[3], c.co];
  const attrs = { strides: c.strides, pad: c.pad, dataFormat, filterShape };
  return tf
    .engine()
    .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

describe('wasm Conv2DBackpropFilter', () => {
  it('matches the cpu backend over a grid of shapes, kernels, strides and paddings (NHWC)', async () => {
    const failures: string[] = [];
    let seed = 1;
    for (const c of grid()) {
      const s = (seed += 2);
      const err = await compareWasmToCpu(() => backpropFilter(c, s));
      if (!(err < 1e-4)) failures.push(`${JSON.stringify(c)}: relative error ${err}`);
    }
    expect(failures).toEqual([]);
  });

  // ResNet's downsampling shortcuts at small widths. oneDNN's jit_1x1 filter gradient gathers a strided
  // 1×1 convolution's pixels into per-thread scratch space at offsets meant for 8 or 16 channels, so
  // with fewer it wrote over the other thread's pixels and its own reduction buffers.
  it('matches the cpu backend for strided 1×1 filters over fewer than 8 channels', async () => {
    const failures: string[] = [];
    let seed = 1000;
    for (const [n, h, w] of [
      [2, 8, 8],
      [3, 16, 12],
    ]) {
      for (let ci = 1; ci < 8; ci++) {
        for (const strides of [2, [2, 1], [1, 2], 3] as (number | [number, number])[]) {
          const c: Case = { x: [n, h, w, ci], k: [1, 1], co: 8, strides, pad: 'valid' };
          const s = (seed += 2);
          const err = await compareWasmToCpu(() => backpropFilter(c, s));
          if (!(err < 1e-4)) failures.push(`${JSON.stringify(c)}: relative error ${err}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('matches the cpu backend for NCHW inputs', async () => {
    const c: Case = { x: [2, 7, 9, 3], k: [3, 3], co: 4, strides: 2, pad: 'same' };
    expect(await compareWasmToCpu(() => backpropFilter(c, 7, 'NCHW'))).toBeLessThan(1e-4);
  });

  it('gives the same filter gradient as cpu through tf.grad of a convolution', async () => {
    for (const [strides, pad] of [
      [1, 'same'],
      [2, 'same'],
      [2, 'valid'],
    ] as [number, 'same' | 'valid'][]) {
      const err = await compareWasmToCpu(() => {
        const x = tf.randomNormal([4, 16, 16, 8], 0, 1, 'float32', 11) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 12) as tf.Tensor4D;
        return tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, strides, pad))))(w);
      });
      expect(err).toBeLessThan(1e-4);
    }
  });
});
