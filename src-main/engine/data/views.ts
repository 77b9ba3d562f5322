import * as tf from '@tensorflow/tfjs-core';

import type { ViewPlan } from '../../domain';
import type { Rng } from '../util/rng';
import { augmentBatch, normalize, toFloatBatch } from './augment';
import type { ImageShape, ImageSplit } from './dataset';

/** What drawing a batch's views needs of a dataset: its training images and their statistics. */
export interface ViewSource extends ImageShape {
  train: ImageSplit;
  mean: [number, number, number];
  std: [number, number, number];
}

/**
 * The normalised augmented views of the images at `indices`, in plan order, drawing every random choice
 * from `rng`. The same function runs in the input thread and, where there is none, in the training
 * thread, so a run's batches depend on its seed only.
 */
export function drawViews(source: ViewSource, indices: Int32Array, plan: ViewPlan, rng: Rng): tf.Tensor4D[] {
  return tf.tidy(() => {
    const images = toFloatBatch(source.train, indices, source);
    return [...plan.global, ...plan.local].map((aug) =>
      normalize(augmentBatch(images, aug, rng), source.mean, source.std),
    );
  });
}
