import * as tf from '@tensorflow/tfjs-core';

import type { ViewPlan } from '../../domain';
import type { Rng } from '../util/rng';
import {
  applyAugment,
  normalize,
  sampleAugmentParams,
  validateAugmentConfig,
  type AugmentParams,
} from './augment';
import { readImageBytes, toFloatImages, type FloatImages } from './batches';
import type { ImageShape, ImageSplit } from './dataset';

/** What drawing a batch's views needs of a dataset: its training images and their statistics. */
export interface ViewSource extends ImageShape {
  train: ImageSplit;
  mean: [number, number, number];
  std: [number, number, number];
}

/**
 * A batch's images and every random choice of its views: the host's part of drawing views, after
 * which augmenting them (augmentViews) is a pure function that runs on any backend.
 */
export interface SampledViews {
  images: FloatImages;
  /** One per view of the plan, global views first, in plan order. */
  params: AugmentParams[];
}

/** Reads the images at `indices` and draws their views' random choices from `rng`. */
export function sampleViews(source: ViewSource, indices: Int32Array, plan: ViewPlan, rng: Rng): SampledViews {
  // Converted here, on the input thread where there is one, not by the training thread that augments.
  const images = toFloatImages(readImageBytes(source.train, indices, source));
  const [n, h, w] = images.shape;
  const params = [...plan.global, ...plan.local].map((aug) => {
    validateAugmentConfig(aug);
    return sampleAugmentParams(n, h, w, aug, rng);
  });
  return { images, params };
}

/** The normalised augmented views of sampled images, in plan order, on the current backend. */
export function augmentViews(
  sampled: SampledViews,
  plan: ViewPlan,
  stats: Pick<ViewSource, 'mean' | 'std'>,
): tf.Tensor4D[] {
  return tf.tidy(() => {
    const images = tf.tensor4d(sampled.images.values, sampled.images.shape, 'float32');
    return [...plan.global, ...plan.local].map((aug, v) =>
      normalize(applyAugment(images, sampled.params[v]!, aug), stats.mean, stats.std),
    );
  });
}

/**
 * The normalised augmented views of the images at `indices`, in plan order, drawing every random choice
 * from `rng`. The same functions run in the input thread and in the training thread, so a run's random
 * choices depend on its seed only, and its views' values on the backend that augments them too (up to
 * float rounding: a GPU's differ from wasm's by about 1e-4).
 */
export function drawViews(source: ViewSource, indices: Int32Array, plan: ViewPlan, rng: Rng): tf.Tensor4D[] {
  return augmentViews(sampleViews(source, indices, plan, rng), plan, source);
}
