/**
 * Views augmented on the Vulkan device: where the training backend is a GPU's, the input thread only
 * reads images and draws random choices, and the crop, flip, colour jitter, grayscale, blur and
 * solarisation run on the device (data/views.ts augmentViews). They must match the cpu's, op for op,
 * with nothing falling back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import type { AugmentConfig, ViewPlan } from '../../../../src-main/domain';
import { initBackend } from '../../../../src-main/engine/backend';
import { countFallbacks } from '../../../../src-main/engine/backend/vulkan';
import { applyAugment, sampleAugmentParams, simclrAugment } from '../../../../src-main/engine/data/augment';
import { openInputPipeline } from '../../../../src-main/engine/data/input-pipeline';
import { Rng } from '../../../../src-main/engine/util/rng';
import { randomViewSource } from '../../../helpers/view-source';
import { relativeError } from '../compare';
import { compareVulkanToCpu, vulkanAvailable } from './vulkan-helpers';

/** BYOL's first view at 48 px: always blurred (7 taps), and solarised half the time. */
const blurredAndSolarised: AugmentConfig = {
  ...simclrAugment(48),
  blurProb: 1,
  blurKernelSize: 7,
  solarizeProb: 0.5,
};

const cases: { name: string; imageShape: [number, number, number, number]; config: AugmentConfig }[] = [
  {
    name: "SimCLR's CIFAR view (crop, flip, jitter, grayscale)",
    imageShape: [6, 32, 32, 3],
    config: simclrAugment(32),
  },
  { name: 'a blurred and solarised view, upscaled', imageShape: [5, 40, 36, 3], config: blurredAndSolarised },
  {
    name: 'a small local crop of one-channel images',
    imageShape: [4, 28, 28, 1],
    config: { ...blurredAndSolarised, outputSize: 12, cropScale: [0.05, 0.4] },
  },
];

describe.runIf(vulkanAvailable)('augmentation on the vulkan device', () => {
  for (const c of cases) {
    it(`${c.name}: as on the cpu, every op on a shader`, async () => {
      const [n, h, w] = c.imageShape;
      const params = sampleAugmentParams(n, h, w, c.config, new Rng(3));
      const { error, fellBack } = await compareVulkanToCpu(() => {
        const images = tf.randomUniform(c.imageShape, 0, 1, 'float32', 7) as tf.Tensor4D;
        return applyAugment(images, params, c.config);
      });
      expect(fellBack).toEqual([]);
      expect(error).toBeLessThan(1e-4);
    });
  }

  it("an input thread that only samples gives, augmented on vulkan, the wasm input thread's views", async () => {
    const { source } = randomViewSource(12, 16);
    const plan: ViewPlan = { global: [simclrAugment(16), blurredAndSolarised], local: [] };
    const batches = [Int32Array.of(0, 1, 2, 3), Int32Array.of(11, 4, 9, 9)];
    const draw = async (augmentOnTrainingBackend: boolean) => {
      const input = await openInputPipeline(source, plan, 42, { useThread: true, augmentOnTrainingBackend });
      try {
        for (const b of batches) input.queue(b);
        const out: Float32Array[] = [];
        for (const _ of batches) {
          const views = await input.next();
          out.push(...views.map((v) => v.dataSync() as Float32Array));
          tf.dispose(views);
        }
        return { where: input.where, out };
      } finally {
        await input.close();
      }
    };
    await initBackend('wasm');
    const onThread = await draw(false);
    await initBackend('vulkan');
    const fallbacks = countFallbacks();
    const onDevice = await draw(true);
    expect(fallbacks()).toEqual([]);
    expect(onThread.where).toBe('an input thread');
    expect(onDevice.where).toBe('an input thread, augmented on the training backend');
    expect(onDevice.out.map((v) => v.length)).toEqual(onThread.out.map((v) => v.length));
    const errors = onThread.out.map((v, i) => relativeError(v, onDevice.out[i]!));
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });
});
