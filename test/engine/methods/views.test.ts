import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/domain';
import { initBackend } from '../../../src-main/engine/backend';
import { augmentBatch, validateAugmentConfig } from '../../../src-main/engine/data/augment';
import { blurKernelSize, blurRadius, gaussianBlur } from '../../../src-main/engine/data/blur';
import { getMethod, methods, resolveConfig } from '../../../src-main/engine/methods';
import {
  augmentationFromConfig,
  LOCAL_CROP_FRACTION,
  localCropSide,
} from '../../../src-main/engine/methods/views';
import { Rng } from '../../../src-main/engine/util/rng';
import { createInstance, ctxAt } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

const sizes = [32, 96, 224] as const;

/** Every view of a method's plan at its defaults (with a few local crops) for `imageSize`-px images. */
function planAt(id: string, imageSize: number, config: Record<string, unknown> = {}) {
  const m = getMethod(id);
  const withLocal = 'localCrops' in m.fields ? { localCrops: 2, ...config } : config;
  const plan = m.viewPlan(resolveConfig(m, withLocal), imageSize);
  return { global: plan.global, local: plan.local, all: [...plan.global, ...plan.local] };
}

describe('the blur kernel is 10% of the image side (SimCLR appendix A)', () => {
  it('has SimCLR’s taps: 2·⌊⌊side/10⌋/2⌋ + 1, so 3 at 32 px, 9 at 96, 23 at 224 and none below 20', () => {
    expect(sizes.map(blurKernelSize)).toEqual([3, 9, 23]);
    expect([16, 19, 20, 29, 30, 256].map(blurKernelSize)).toEqual([1, 1, 3, 3, 3, 25]);
    for (let side = 16; side <= 256; side++) {
      const k = blurKernelSize(side);
      expect(k % 2, `${side} px`).toBe(1);
      // Never wider than 10% of the side, and within two pixels of it.
      expect(k - 1, `${side} px`).toBeLessThanOrEqual(side / 10);
      expect(k + 2, `${side} px`).toBeGreaterThan(side / 10);
    }
  });

  it('every method’s views carry the kernel of the image side, for local crops too', () => {
    for (const m of methods) {
      for (const size of sizes) {
        for (const view of planAt(m.id, size).all) {
          expect(view.blurKernelSize, `${m.id} at ${size} px`).toBe(blurKernelSize(size));
          expect(blurRadius(view), `${m.id} at ${size} px`).toBe((blurKernelSize(size) - 1) / 2);
        }
      }
    }
  });

  it('SimCLR keeps σ ∈ [0.1, 2.0] pixels; MoCo v2 scales σ with the side as before', () => {
    for (const size of sizes) {
      expect(planAt('simclr', size).global[0]!.blurSigma).toEqual([0.1, 2.0]);
      const [lo, hi] = planAt('mocov2', size).global[0]!.blurSigma;
      expect(lo).toBeCloseTo((0.1 * size) / 224, 6);
      expect(hi).toBeCloseTo((2 * size) / 224, 6);
    }
  });

  it('blurs an impulse over exactly the kernel: 23 pixels wide at 224 px, 3 at 32', () => {
    for (const size of [32, 224]) {
      const view = augmentationFromConfig(resolveConfig(getMethod('simclr'), {}), size);
      const r = blurRadius(view);
      const impulse = new Float32Array(size * size);
      const centre = Math.floor(size / 2);
      impulse[centre * size + centre] = 1;
      const blurred = gaussianBlur(tf.tensor4d(impulse, [1, size, size, 1]), Float32Array.of(2), r);
      const row = Array.from(blurred.dataSync().slice(centre * size, (centre + 1) * size));
      const lit = row.flatMap((v, x) => (v > 0 ? [x] : []));
      expect(lit, `${size} px`).toEqual(Array.from({ length: 2 * r + 1 }, (_, i) => centre - r + i));
      expect(lit.length).toBe(blurKernelSize(size));
    }
  });

  it('refuses a kernel size that is not an odd whole number, naming the field', () => {
    for (const bad of [0, 2, 4.5, -3]) {
      expect(() => blurRadius({ blurSigma: [0.1, 2], blurKernelSize: bad })).toThrow(
        `augmentation blurKernelSize must be an odd whole number ≥ 1, got ${bad}`,
      );
    }
    // Without a kernel size (views made before sizes were chosen) the kernel spans ±3σ.
    expect(blurRadius({ blurSigma: [0.1, 2] })).toBe(6);
  });
});

describe('multi-crop sizes are fractions of the image size', () => {
  it('global crops are the image size, local crops round(size · 96/224): 14 at 32, 41 at 96, 96 at 224', () => {
    expect(LOCAL_CROP_FRACTION).toBe(96 / 224);
    expect(sizes.map((s) => localCropSide(s))).toEqual([14, 41, 96]);
    for (const id of ['swav', 'wcl']) {
      for (const size of sizes) {
        const plan = planAt(id, size);
        expect(
          plan.global.map((v) => v.outputSize),
          `${id} at ${size}`,
        ).toEqual([size, size]);
        expect(
          plan.local.map((v) => v.outputSize),
          `${id} at ${size}`,
        ).toEqual([Math.round((size * 96) / 224), Math.round((size * 96) / 224)]);
      }
    }
  });

  it('DINO with a ViT tokenises local crops with the global patch size: whole patches nearest 96/224', () => {
    // Patches 4, 12, 28 px; 13.7, 41.1, 96 px round to 3 patches each.
    expect(sizes.map((s) => planAt('dino', s).local[0]!.outputSize)).toEqual([12, 36, 84]);
    for (const size of sizes) {
      const plan = planAt('dino', size);
      expect(plan.global.map((v) => v.outputSize)).toEqual([size, size]);
      expect(plan.local[0]!.outputSize % (size / 8)).toBe(0);
    }
    // A CNN needs no whole patches: DINO's ratio as SwAV's.
    expect(sizes.map((s) => planAt('dino', s, { backbone: 'convnet' }).local[0]!.outputSize)).toEqual([
      14, 41, 96,
    ]);
  });

  it('a localCropSize set by hand wins; one a ViT cannot tokenise is refused with one line', () => {
    expect(planAt('swav', 96, { localCropSize: 32 }).local[0]!.outputSize).toBe(32);
    expect(planAt('dino', 96, { localCropSize: 48 }).local[0]!.outputSize).toBe(48);
    expect(() => planAt('dino', 96, { localCropSize: 40 })).toThrow(ConfigError);
    expect(() => planAt('dino', 96, { localCropSize: 40 })).toThrow(
      "dino: localCropSize 40 px is not a multiple of the ViT's 12-px patches on 96-px images",
    );
    expect(() => resolveConfig(getMethod('swav'), { localCropSize: 3 })).toThrow(
      /localCropSize.*must be 0 \(automatic\) or at least 4 px/,
    );
  });

  it('every method’s views at 32, 96 and 224 px are valid and augment images of that size', () => {
    for (const m of methods) {
      for (const size of sizes) {
        const views = planAt(m.id, size).all;
        for (const view of views) {
          validateAugmentConfig(view);
          expect(view.outputSize, `${m.id} at ${size}`).toBeLessThanOrEqual(size);
        }
      }
    }
    // The tensors themselves, at 96 px: every distinct view size of SwAV's and DINO's plans.
    const images = tf.randomUniform([2, 96, 96, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    for (const id of ['swav', 'dino']) {
      for (const view of planAt(id, 96, { blurProb: 1 }).all) {
        const out = augmentBatch(images, view, new Rng(1));
        expect(out.shape, id).toEqual([2, view.outputSize, view.outputSize, 3]);
        expect(Number.isFinite(tf.sum(out).dataSync()[0]!)).toBe(true);
        out.dispose();
      }
    }
    images.dispose();
  });
});

describe('methods train at 96 px with views and backbones sized for it', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['swav', { backbone: 'resnet18', localCrops: 2, freezePrototypesSteps: 0 }],
    ['dino', { backbone: 'vit_tiny', localCrops: 2, prototypes: 32, headHiddenDim: 16, bottleneckDim: 8 }],
    ['cpc', { backbone: 'convnet', batchSize: 8 }],
  ];
  for (const [id, config] of cases) {
    it(`${id} (${config.backbone}) takes one step with finite loss`, () => {
      const { instance, config: resolved } = createInstance(id, config, { imageSize: 96 });
      const plan = getMethod(id).viewPlan(resolved, 96);
      const n = 4;
      const views = [...plan.global, ...plan.local].map(
        (a, i) => tf.randomNormal([n, a.outputSize, a.outputSize, 3], 0, 1, 'float32', i) as tf.Tensor4D,
      );
      const indices = Int32Array.from([0, 1, 2, 3]);
      const loss = tf.tidy(
        () => instance.step({ views, indices, labels: Int32Array.from([0, 1, 0, 1]) }, ctxAt(0)).loss,
      );
      expect(Number.isFinite(loss.dataSync()[0]!)).toBe(true);
      tf.dispose([loss, ...views]);
      instance.dispose();
    });
  }
});
