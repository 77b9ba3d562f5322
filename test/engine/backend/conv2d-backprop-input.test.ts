import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend, registerWasmKernels, restoreNativeWasmKernel } from '../../../src-main/engine/backend';
import { compareWasmToCpu, relativeError, runOn } from './compare';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  x: [number, number, number, number]; // NHWC
  k: [number, number];
  co: number;
  strides: number | [number, number];
  pad: Pad;
}

function grid(): Case[] {
  const cases: Case[] = [];
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
    // Padding beyond the kernel: the rotated correlation then needs negative padding (a crop).
    [
      [0, 0],
      [4, 4],
      [3, 0],
      [0, 0],
    ],
  ];
  let i = 0;
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
      for (const strides of [1, 2, 3, [2, 1]] as (number | [number, number])[]) {
        for (const pad of pads) cases.push({ x, k, co: 2 + (i++ % 4), strides, pad });
      }
    }
  }
  return cases;
}

function backpropInput(c: Case, seed: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  const filter = tf.randomNormal([...c.k, c.x[3], c.co], 0, 1, 'float32', seed);
  const info = tf.backend_util.computeConv2DInfo(c.x, [...c.k, c.x[3], c.co], c.strides, 1, c.pad);
  const [n, ho, wo, co] = info.outShape;
  const dy = tf.randomNormal(
    dataFormat === 'NHWC' ? [n, ho, wo, co] : [n, co, ho, wo],
    0,
    1,
    'float32',
    seed + 1,
  );
  const inputShape = dataFormat === 'NHWC' ? c.x : [c.x[0], c.x[3], c.x[1], c.x[2]];
  const attrs = { strides: c.strides, pad: c.pad, dataFormat, inputShape };
  return tf
    .engine()
    .runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** Shapes where the forward convolution has at least one output. */
function valid(c: Case): boolean {
  try {
    const info = tf.backend_util.computeConv2DInfo(c.x, [...c.k, c.x[3], c.co], c.strides, 1, c.pad);
    return info.outHeight > 0 && info.outWidth > 0;
  } catch {
    return false;
  }
}

describe('wasm Conv2DBackpropInput (replaces the slow native loop with an XNNPACK convolution)', () => {
  afterAll(() => registerWasmKernels());

  it('matches the cpu backend over a grid of shapes, kernels, strides and paddings (NHWC)', async () => {
    const failures: string[] = [];
    let seed = 1;
    for (const c of grid().filter(valid)) {
      const s = (seed += 2);
      const err = await compareWasmToCpu(() => backpropInput(c, s));
      if (!(err < 1e-4)) failures.push(`${JSON.stringify(c)}: relative error ${err}`);
    }
    expect(failures).toEqual([]);
  });

  it('matches the cpu backend for NCHW', async () => {
    const c: Case = { x: [2, 7, 9, 3], k: [3, 3], co: 4, strides: 2, pad: 'same' };
    expect(await compareWasmToCpu(() => backpropInput(c, 3, 'NCHW'))).toBeLessThan(1e-4);
  });

  it("agrees with tfjs-backend-wasm's own kernel", async () => {
    const c: Case = { x: [4, 16, 16, 8], k: [3, 3], co: 16, strides: 2, pad: 'same' };
    const ours = await runOn('wasm', () => backpropInput(c, 5));
    await initBackend('wasm');
    restoreNativeWasmKernel(tf.Conv2DBackpropInput);
    const native = await runOn('wasm', () => backpropInput(c, 5));
    registerWasmKernels();
    expect(relativeError(native.values[0], ours.values[0])).toBeLessThan(1e-5);
  });
});
