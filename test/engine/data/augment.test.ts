import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAugment,
  augmentBatch,
  CROP_PAD,
  normalize,
  sampleAugmentParams,
  simclrAugment,
  toFloatBatch,
} from '../../../src-main/engine/data/augment';
import type { AugmentConfig } from '../../../src-main/domain';
import { generateSynthetic } from '../../../src-main/engine/data/synthetic';
import { Rng } from '../../../src-main/engine/util/rng';
import { backends, useBackend } from './backend';

const data = generateSynthetic({ seed: 11, trainSize: 40, testSize: 10 });
const indices = Int32Array.from({ length: 16 }, (_, i) => i);

/** Crop the whole image, no flip and no colour: the identity at the input size. */
const plain: AugmentConfig = {
  outputSize: 32,
  cropScale: [1, 1],
  cropRatio: [1, 1],
  flipProb: 0,
  jitterProb: 0,
  jitterStrength: 0.5,
  grayscaleProb: 0,
  blurProb: 0,
  blurSigma: [0.1, 2],
  solarizeProb: 0,
};

/** Every op switched on, BYOL style. */
const everything: AugmentConfig = { ...simclrAugment(24), blurProb: 0.5, solarizeProb: 0.5 };

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe.each(backends)('augmentation on %s', (backend) => {
  let images: tf.Tensor4D;
  beforeAll(async () => {
    await useBackend(backend);
    images = toFloatBatch(data.train, indices);
  });
  afterAll(() => images.dispose());

  it('uses the requested backend', () => {
    expect(tf.getBackend()).toBe(backend);
  });

  it('gives the output shape and stays in [0, 1]', () => {
    for (const config of [simclrAugment(24), everything, simclrAugment(40)]) {
      const out = augmentBatch(images, config, new Rng(1));
      expect(out.shape).toEqual([16, config.outputSize, config.outputSize, 3]);
      expect(out.dtype).toBe('float32');
      const v = out.dataSync();
      expect(v.every((x) => x >= -1e-6 && x <= 1 + 1e-6)).toBe(true);
      out.dispose();
    }
  });

  it('is deterministic in the rng seed', () => {
    const a = augmentBatch(images, everything, new Rng(5));
    const b = augmentBatch(images, everything, new Rng(5));
    const c = augmentBatch(images, everything, new Rng(6));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0.1);
    tf.dispose([a, b, c]);
  });

  it('is the identity with everything off and a full crop', () => {
    const out = augmentBatch(images, plain, new Rng(1));
    expect(maxAbsDiff(out, images)).toBeLessThan(1e-5);
    out.dispose();
  });

  it('mirrors horizontally when flipping', () => {
    const out = augmentBatch(images, { ...plain, flipProb: 1 }, new Rng(1));
    const mirrored = tf.reverse(images, 2);
    expect(maxAbsDiff(out, mirrored)).toBeLessThan(1e-5);
    tf.dispose([out, mirrored]);
  });

  it('flips about half the images at p = 0.5, the others untouched', () => {
    const rng = new Rng(3);
    const params = sampleAugmentParams(16, 32, 32, { ...plain, flipProb: 0.5 }, rng);
    const out = applyAugment(images, params, plain);
    const mirrored = tf.reverse(images, 2);
    for (let b = 0; b < 16; b++) {
      const want = params.flipped[b] ? mirrored : images;
      const d = tf.tidy(
        () => tf.max(tf.abs(tf.sub(tf.slice(out, b, 1), tf.slice(want, b, 1)))).dataSync()[0]!,
      );
      expect(d).toBeLessThan(1e-5);
    }
    expect(params.flipped.reduce((a, b) => a + b, 0)).toBeGreaterThan(2);
    expect(params.flipped.reduce((a, b) => a + b, 0)).toBeLessThan(14);
    tf.dispose([out, mirrored]);
  });

  it('crops the sampled rectangle (box convention)', () => {
    // A horizontal ramp: value x/31 at column x. A crop of columns left…left+w-1 resized to 32 columns is
    // the ramp from left/31 to (left+w-1)/31.
    const ramp = tf.tidy(() =>
      tf.tile(tf.reshape(tf.div(tf.range(0, 32), 31), [1, 1, 32, 1]), [1, 32, 1, 3]),
    );
    const config: AugmentConfig = { ...plain, cropScale: [0.2, 0.5], cropRatio: [0.5, 2] };
    const params = sampleAugmentParams(1, 32, 32, config, new Rng(9));
    // Boxes are normalised in the image padded by CROP_PAD pixels (34 px wide, 33 steps).
    const [left, right] = [params.boxes[1]!, params.boxes[3]!].map((v) => v * (31 + 2 * CROP_PAD) - CROP_PAD);
    const out = applyAugment(ramp as tf.Tensor4D, params, config);
    const row = out.dataSync();
    expect(row[0]).toBeCloseTo(left! / 31, 5);
    expect(row[31 * 3]).toBeCloseTo(right! / 31, 5);
    expect(right! - left!).toBeLessThan(28);
    expect(Number.isInteger(Math.round(left! * 1e4) / 1e4)).toBe(true);
    tf.dispose([ramp, out]);
  });

  it('keeps crops that touch the border free of extrapolated (black) pixels', () => {
    const ones = tf.ones([64, 32, 32, 3]) as tf.Tensor4D;
    const out = augmentBatch(
      ones,
      { ...plain, cropScale: [0.3, 1], cropRatio: [0.5, 2], flipProb: 0.5 },
      new Rng(2),
    );
    expect(tf.tidy(() => tf.min(out).dataSync()[0])).toBeGreaterThan(1 - 1e-5);
    tf.dispose([ones, out]);
  });

  it('grayscale gives equal channels', () => {
    const out = augmentBatch(images, { ...plain, grayscaleProb: 1 }, new Rng(1));
    const [r, g, b] = tf.split(out, 3, 3);
    expect(maxAbsDiff(r!, g!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(r!, b!)).toBeLessThan(1e-6);
    // And it is the ITU-R 601 luma of the input.
    const luma = tf.tidy(() => tf.sum(tf.mul(images, tf.tensor1d([0.2989, 0.587, 0.114])), 3, true));
    expect(maxAbsDiff(r!, luma)).toBeLessThan(1e-5);
    tf.dispose([out, r!, g!, b!, luma]);
  });

  it('jitter with strength 0 is the identity; with strength 0.5 it changes every image', () => {
    const none = augmentBatch(images, { ...plain, jitterProb: 1, jitterStrength: 0 }, new Rng(1));
    expect(maxAbsDiff(none, images)).toBeLessThan(1e-4);
    const some = augmentBatch(images, { ...plain, jitterProb: 1, jitterStrength: 0.5 }, new Rng(1));
    const perImage = tf.tidy(() => tf.max(tf.abs(tf.sub(some, images)), [1, 2, 3]).dataSync());
    expect(Array.from(perImage).every((d) => d > 0.01)).toBe(true);
    tf.dispose([none, some]);
  });

  it('colour jitter moves brightness, contrast and colour by per-image factors', () => {
    const out = augmentBatch(images, { ...plain, jitterProb: 1, jitterStrength: 1 }, new Rng(2));
    const meanIn = tf.tidy(() => tf.mean(images, [1, 2, 3]).dataSync());
    const meanOut = tf.tidy(() => tf.mean(out, [1, 2, 3]).dataSync());
    const ratios = Array.from(meanOut, (m, i) => m / meanIn[i]!);
    // Different images get different factors.
    expect(Math.max(...ratios) - Math.min(...ratios)).toBeGreaterThan(0.2);
    out.dispose();
  });

  it('blurs: constant images stay constant, textures lose contrast', () => {
    const cfg: AugmentConfig = { ...plain, blurProb: 1, blurSigma: [1.5, 2] };
    const flat = tf.fill([2, 32, 32, 3], 0.3) as tf.Tensor4D;
    const flatOut = augmentBatch(flat, cfg, new Rng(1));
    expect(maxAbsDiff(flatOut, flat)).toBeLessThan(1e-5);
    const out = augmentBatch(images, cfg, new Rng(1));
    const varIn = tf.tidy(() => tf.moments(images).variance.dataSync()[0]!);
    const varOut = tf.tidy(() => tf.moments(out).variance.dataSync()[0]!);
    expect(varOut).toBeLessThan(varIn * 0.95);
    const meanIn = tf.tidy(() => tf.mean(images).dataSync()[0]!);
    const meanOut = tf.tidy(() => tf.mean(out).dataSync()[0]!);
    expect(Math.abs(meanOut - meanIn)).toBeLessThan(0.01);
    tf.dispose([flat, flatOut, out]);
  });

  it('solarizes pixels at or above the threshold', () => {
    const out = augmentBatch(images, { ...plain, solarizeProb: 1 }, new Rng(1));
    const want = tf.tidy(() => tf.where(tf.greaterEqual(images, 0.5), tf.sub(1, images), images));
    expect(maxAbsDiff(out, want)).toBeLessThan(1e-5);
    tf.dispose([out, want]);
  });

  it('normalizes per channel', () => {
    const out = normalize(images, data.mean, data.std);
    const got = out.dataSync();
    const src = images.dataSync();
    for (const i of [0, 1, 2, 1000, 3071]) {
      expect(got[i]).toBeCloseTo((src[i]! - data.mean[i % 3]!) / data.std[i % 3]!, 5);
    }
    out.dispose();
  });

  it('normalizes a greyscale batch with the first statistic and keeps its one channel', () => {
    const grey = tf.fill([2, 4, 4, 1], 0.5) as tf.Tensor4D;
    const out = normalize(grey, [0.25, 0.9, 0.9], [0.5, 0.1, 0.1]);
    expect(out.shape).toEqual([2, 4, 4, 1]);
    expect(out.dataSync()[0]).toBeCloseTo(0.5, 6);
    tf.dispose([grey, out]);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const rng = new Rng(4);
    for (const config of [simclrAugment(32), everything, { ...plain, grayscaleProb: 1, flipProb: 1 }]) {
      const batch = toFloatBatch(data.train, [3, 1, 4, 1, 5]);
      const out = augmentBatch(batch, config, rng);
      const norm = normalize(out, data.mean, data.std);
      tf.dispose([batch, out, norm]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad configuration', () => {
    expect(() => augmentBatch(images, { ...plain, cropScale: [0, 1] }, new Rng(1))).toThrow(/cropScale/);
    expect(() => augmentBatch(images, { ...plain, flipProb: 1.5 }, new Rng(1))).toThrow(/flipProb/);
    expect(() => augmentBatch(images, { ...plain, outputSize: 0 }, new Rng(1))).toThrow(/outputSize/);
  });
});

describe('augmentation across backends', () => {
  it('cpu and wasm agree on the same parameters', async () => {
    const results: Float32Array[] = [];
    for (const backend of backends) {
      await useBackend(backend);
      const images = toFloatBatch(data.train, indices);
      const out = augmentBatch(images, everything, new Rng(21));
      results.push(out.dataSync() as Float32Array);
      tf.dispose([images, out]);
    }
    let worst = 0;
    for (let i = 0; i < results[0]!.length; i++)
      worst = Math.max(worst, Math.abs(results[0]![i]! - results[1]![i]!));
    expect(worst).toBeLessThan(1e-4);
  });
});
