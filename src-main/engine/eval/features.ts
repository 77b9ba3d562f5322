import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../nn/backbones';
import type { ImageSplit } from '../data/dataset';
import { normalize, toFloatBatch } from '../data/augment';

/**
 * L2-normalised backbone features of a whole split, un-augmented, with batch norm in eval mode: the
 * representation the kNN monitor and linear probe judge.
 */
export function extractFeatures(
  encoder: Backbone,
  split: ImageSplit,
  mean: [number, number, number],
  std: [number, number, number],
  batchSize = 256,
): tf.Tensor2D {
  const chunks: tf.Tensor2D[] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const idx = new Int32Array(Math.min(batchSize, split.count - start)).map((_, i) => start + i);
    chunks.push(
      tf.tidy(() => {
        const x = normalize(toFloatBatch(split, idx), mean, std);
        const f = encoder.forward(x, false) as tf.Tensor2D;
        return tf.div(f, tf.maximum(tf.norm(f, 2, 1, true), 1e-12)) as tf.Tensor2D;
      }),
    );
  }
  const out = tf.concat(chunks, 0);
  chunks.forEach((c) => c.dispose());
  return out;
}
