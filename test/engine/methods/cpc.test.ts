import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { CausalConv2d } from '../../../src-main/engine/methods/cpc';
import { extractPatches, patchGridSize, PatchGridEncoder } from '../../../src-main/engine/methods/patch-grid';
import { SmallConvNet } from '../../../src-main/engine/nn/backbones';
import { Rng } from '../../../src-main/engine/util/rng';
import { createInstance, expectHealthyRun, maxAbsDiff, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('cpc', () => {
  it('trains one epoch without NaN/Inf, logging one InfoNCE term per prediction step', async () => {
    const points = await trainTiny('cpc');
    expectHealthyRun(points);
    for (const k of [1, 2, 3]) expect(points.filter((p) => p.key === `loss_k${k}`)).toHaveLength(4);
  });

  it('cuts 32×32 images into a 7×7 grid of 8×8 patches with stride 4', () => {
    expect(patchGridSize(32, 8, 4)).toBe(7);
    expect(patchGridSize(256, 64, 32)).toBe(7); // the paper's grid
    expect(() => patchGridSize(32, 40, 4)).toThrow(/patch size/);
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const patches = extractPatches(images, 8, 4);
    expect(patches.shape).toEqual([2 * 49, 8, 8, 3]);
    // Patch (image 1, row 3, column 5) is the pixel block starting at (12, 20).
    const p = tf.slice(patches, [49 + 3 * 7 + 5, 0, 0, 0], [1, 8, 8, 3]);
    expect(maxAbsDiff(p, tf.slice(images, [1, 12, 20, 0], [1, 8, 8, 3]))).toBe(0);
    tf.dispose([images, patches, p]);
  });

  it('encodes the patch grid and mean-pools it into whole-image features for the kNN monitor', () => {
    const encoder = new PatchGridEncoder(new SmallConvNet(4, new Rng(1)), 8, 4);
    const images = tf.randomNormal([3, 32, 32, 3]) as tf.Tensor4D;
    const grid = encoder.encodeGrid(images, false);
    expect(grid.shape).toEqual([3, 7, 7, encoder.outputDim]);
    const pooled = encoder.forward(images, false);
    expect(pooled.shape).toEqual([3, encoder.outputDim]);
    expect(maxAbsDiff(pooled, tf.mean(grid, [1, 2]))).toBeLessThan(1e-6);
    tf.dispose([images, grid, pooled]);
    encoder.dispose();
  });

  it('context convolutions are causal over rows: row i never sees rows below it', () => {
    const conv = new CausalConv2d(3, 4, 3, 3, new Rng(2));
    const x = tf.randomNormal([1, 7, 7, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    // Change rows 4…6 only.
    const changed = tf.concat([tf.slice(x, [0, 0, 0, 0], [1, 4, 7, 3]), tf.randomNormal([1, 3, 7, 3])], 1);
    const a = conv.forward(x);
    const b = conv.forward(changed);
    expect(a.shape).toEqual([1, 7, 7, 4]);
    expect(maxAbsDiff(tf.slice(a, [0, 0, 0, 0], [1, 4, 7, 4]), tf.slice(b, [0, 0, 0, 0], [1, 4, 7, 4]))).toBe(
      0,
    );
    expect(
      maxAbsDiff(tf.slice(a, [0, 4, 0, 0], [1, 3, 7, 4]), tf.slice(b, [0, 4, 0, 0], [1, 3, 7, 4])),
    ).toBeGreaterThan(0);
    tf.dispose([x, changed, a, b]);
    conv.dispose();
  });

  it('refuses more prediction steps than the grid has rows', () => {
    expect(() => createInstance('cpc', { predictionSteps: 7 })).toThrow(/predictionSteps 7/);
  });
});
