import * as tf from '@tensorflow/tfjs-core';
import type { AugmentConfig } from '../../domain';

/** 1-D Gaussian taps for offsets -radius … radius, summing to 1; sigma ≤ 0 gives the identity. */
export function gaussianTaps(sigma: number, radius: number): Float32Array {
  const taps = new Float32Array(2 * radius + 1);
  if (!(sigma > 0)) {
    taps[radius] = 1;
    return taps;
  }
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += taps[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
  return taps;
}

/**
 * Gaussian blur with a different sigma per image (0: untouched), as two separable depthwise convolutions.
 * A depthwise filter is shared across the batch, so images are moved into channels first ([N,H,W,C] →
 * [1,H,W,N·C]) and every (image, channel) gets its own taps. Borders are reflected, as in torchvision.
 */
export function gaussianBlur(images: tf.Tensor4D, sigmas: Float32Array, radius: number): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  const r = Math.max(0, Math.min(radius, h - 1, w - 1));
  if (r === 0) return images.clone();
  return tf.tidy(() => {
    const k = 2 * r + 1;
    const depth = n * c;
    // Filter layout [k, 1, depth, 1] / [1, k, depth, 1]: tap-major, then channel.
    const filter = new Float32Array(k * depth);
    for (let b = 0; b < n; b++) {
      const taps = gaussianTaps(sigmas[b]!, r);
      for (let t = 0; t < k; t++) for (let ch = 0; ch < c; ch++) filter[t * depth + b * c + ch] = taps[t]!;
    }
    const stacked = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, h, w, depth]) as tf.Tensor4D;
    const padded = tf.mirrorPad(
      stacked,
      [
        [0, 0],
        [r, r],
        [r, r],
        [0, 0],
      ],
      'reflect',
    );
    const vertical = tf.depthwiseConv2d(padded, tf.tensor4d(filter, [k, 1, depth, 1]), 1, 'valid');
    const both = tf.depthwiseConv2d(vertical, tf.tensor4d(filter, [1, k, depth, 1]), 1, 'valid');
    return tf.transpose(tf.reshape(both, [h, w, n, c]), [2, 0, 1, 3]) as tf.Tensor4D;
  });
}

/**
 * SimCLR's blur kernel for images of `imageSize` pixels (appendix A: "kernel size is set to be 10% of the
 * image height/width"). Its code takes kernel_size = height // 10 and blurs with 2·⌊kernel_size/2⌋ + 1
 * taps (data_util.py, random_blur and gaussian_blur): 23 at 224 px (BYOL's 23×23), 9 at 96, 3 at 32, and 1,
 * no blur at all, below 20 px.
 */
export function blurKernelSize(imageSize: number): number {
  return 2 * Math.floor(Math.floor(imageSize / 10) / 2) + 1;
}

/**
 * The radius r (a kernel of 2r + 1 taps) a view is blurred with: half its blurKernelSize, or where it has
 * none, ±3σ of its largest σ. Throws a RangeError naming a kernel size that is not an odd whole number ≥ 1.
 */
export function blurRadius(config: Pick<AugmentConfig, 'blurSigma' | 'blurKernelSize'>): number {
  const k = config.blurKernelSize;
  if (k === undefined) return Math.ceil(3 * config.blurSigma[1]);
  if (!(Number.isInteger(k) && k >= 1 && k % 2 === 1)) {
    throw new RangeError(`augmentation blurKernelSize must be an odd whole number ≥ 1, got ${k}`);
  }
  return (k - 1) / 2;
}
