import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import type { ImageShape, ImageSplit } from './dataset';

/**
 * The shape of a split's images. Without an explicit shape, square images with 1 or 3 channels are
 * recognised from the bytes per image (3k² is never a perfect square, so the two cannot be confused).
 */
export function splitShape(split: ImageSplit, shape?: ImageShape): ImageShape {
  if (shape) return shape;
  const perImage = split.pixels.bytesPerImage;
  for (const channels of [3, 1]) {
    const side = Math.round(Math.sqrt(perImage / channels));
    if (side > 0 && side * side * channels === perImage) return { height: side, width: side, channels };
  }
  throw new RangeError(`cannot infer the image shape from ${perImage} bytes per image; pass it explicitly`);
}

/** The bytes of a batch of images (NHWC) and its shape, as read from a split. */
export interface ImageBytes {
  bytes: Uint8Array;
  shape: [number, number, number, number];
}

/** The bytes of the images at `indices`; throws a RangeError naming an index or a shape that is wrong. */
export function readImageBytes(
  split: ImageSplit,
  indices: ArrayLike<number>,
  shape?: ImageShape,
): ImageBytes {
  const { height, width, channels } = splitShape(split, shape);
  const per = height * width * channels;
  const n = indices.length;
  if (split.pixels.bytesPerImage !== per) {
    throw new RangeError(
      `the split's images have ${split.pixels.bytesPerImage} bytes, not ${height}×${width}×${channels}`,
    );
  }
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < split.count)) throw new RangeError(`image index ${i} outside 0…${split.count - 1}`);
  }
  return { bytes: split.pixels.read(indices), shape: [n, height, width, channels] };
}

/** A batch of images as float32 values in [0, 1] (NHWC), on the host. */
export interface FloatImages {
  values: Float32Array;
  shape: [number, number, number, number];
}

/** Image bytes as float32 values in [0, 1]. */
export function toFloatImages({ bytes, shape }: ImageBytes): FloatImages {
  const values = new Float32Array(bytes.length);
  for (let p = 0; p < values.length; p++) values[p] = bytes[p]! / 255;
  return { values, shape };
}

/** The images at `indices` as a float32 NHWC batch in [0, 1]. */
export function toFloatBatch(split: ImageSplit, indices: ArrayLike<number>, shape?: ImageShape): tf.Tensor4D {
  const images = toFloatImages(readImageBytes(split, indices, shape));
  return tf.tensor4d(images.values, images.shape, 'float32');
}

/** The labels at `indices`, or null for an unlabelled split. */
export function labelBatch(split: ImageSplit, indices: ArrayLike<number>): Int32Array | null {
  const labels = split.labels;
  if (!labels) return null;
  return Int32Array.from({ length: indices.length }, (_, k) => labels[indices[k]!]!);
}

/**
 * One epoch of minibatch indices in a fresh random order. With `dropLast` a final short batch is
 * skipped, which keeps batch statistics (batch norm, in-batch negatives) comparable between steps.
 */
export function epochBatches(count: number, batchSize: number, rng: Rng, dropLast = true): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be ≥ 1, got ${batchSize}`);
  const order = rng.permutation(count);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}
