import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { CMC_LAB_MEAN, CMC_LAB_STD, rgbToLab } from '../../../src-main/engine/data/lab';
import { LabSplitBackbone } from '../../../src-main/engine/methods/cmc';
import { SmallConvNet } from '../../../src-main/engine/nn/backbones';
import { Rng } from '../../../src-main/engine/util/rng';
import { createInstance, expectHealthyRun, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

const lab = (rgb: number[]) => {
  const t = tf.tensor4d(rgb, [1, 1, 1, 3]);
  const out = rgbToLab(t);
  const v = Array.from(out.dataSync());
  tf.dispose([t, out]);
  return v;
};

describe('RGB → Lab', () => {
  it('matches known values (skimage.color.rgb2lab, D65)', () => {
    const white = lab([1, 1, 1]);
    expect(white[0]).toBeCloseTo(100, 2);
    expect(Math.abs(white[1]!)).toBeLessThan(0.01);
    expect(Math.abs(white[2]!)).toBeLessThan(0.01);
    const red = lab([1, 0, 0]);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
    expect(lab([0, 0, 0]).map((v) => Math.abs(v))).toEqual([0, 0, 0].map(() => expect.closeTo(0, 4)));
    const green = lab([0, 1, 0]);
    expect(green[0]).toBeCloseTo(87.73, 1);
    expect(green[1]).toBeCloseTo(-86.18, 1);
    expect(green[2]).toBeCloseTo(83.18, 1);
    const grey = lab([0.5, 0.5, 0.5]); // the linear branch is not hit; L of 50 % sRGB grey is 53.39
    expect(grey[0]).toBeCloseTo(53.39, 1);
    const dark = lab([0.02, 0.02, 0.02]); // below 0.04045: the linear sRGB segment
    expect(dark[0]).toBeCloseTo(1.4, 1);
  });

  it('CMC normalisation maps L ∈ [0, 100] to [−1, 1]', () => {
    expect(CMC_LAB_MEAN[0]).toBe(50);
    expect(CMC_LAB_STD[0]).toBe(50);
  });
});

describe('cmc', () => {
  it('trains one epoch (in-batch softmax) without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('cmc'));
  });

  it('trains one epoch with the memory-bank NCE objective', async () => {
    const points = await trainTiny('cmc', { objective: 'memory-bank', noiseSamples: 64 });
    expectHealthyRun(points);
    expect(points.filter((p) => p.key === 'loss_l')).toHaveLength(4);
  });

  it('evaluates the concatenation of an L encoder and an ab encoder of half width', () => {
    const rng = new Rng(1);
    const net = new LabSplitBackbone(new SmallConvNet(4, rng, 1), new SmallConvNet(4, rng, 2), {
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
    });
    // Pure white after the (x·std + mean) un-normalisation: L = 100 → 1 after CMC's normalisation, a, b ≈ 0.
    const white = tf.fill([2, 8, 8, 3], 2) as tf.Tensor4D;
    const [l, ab] = net.split(white);
    expect(l.shape).toEqual([2, 8, 8, 1]);
    expect(ab.shape).toEqual([2, 8, 8, 2]);
    expect(l.dataSync()[0]).toBeCloseTo(1, 3);
    expect(ab.dataSync()[0]).toBeCloseTo(-CMC_LAB_MEAN[1] / CMC_LAB_STD[1], 3);
    const f = net.forward(white, false);
    expect(f.shape).toEqual([2, net.outputDim]);
    expect(net.outputDim).toBe(64);
    tf.dispose([white, l, ab, f]);
    net.dispose();

    const { instance } = createInstance('cmc', { width: 8 });
    // Two encoders of width 4: 32 + 32 features, the size of one width-8 encoder.
    expect(instance.encoder.outputDim).toBe(64);
    instance.dispose();
  });

  it('refuses images without three colour channels', () => {
    expect(() => createInstance('cmc', {}, { channels: 1 })).toThrow(/L and ab/);
  });
});
