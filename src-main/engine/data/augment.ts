import type { AugmentConfig } from '../../domain';
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import { blurRadius, gaussianBlur } from './blur';
import { colourStage, grayscaleMatrix, jitterMatrix, jitterOps } from './colour';
import { cropBox, sampleCropRect } from './crop-boxes';

export { toFloatBatch } from './batches';

/**
 * SimCLR's CIFAR-10 augmentation (Chen et al. 2020, appendix A and B.9): crop scale (0.08, 1), ratio
 * (3/4, 4/3), flip 0.5, colour jitter p = 0.8 with s = 0.5, grayscale 0.2, and no blur on CIFAR.
 */
export const simclrAugment = (outputSize: number): AugmentConfig => ({
  outputSize,
  cropScale: [0.08, 1],
  cropRatio: [3 / 4, 4 / 3],
  flipProb: 0.5,
  jitterProb: 0.8,
  jitterStrength: 0.5,
  grayscaleProb: 0.2,
  blurProb: 0,
  // SimCLR's ImageNet sigma range, should blur be switched on.
  blurSigma: [0.1, 2.0],
  solarizeProb: 0,
});

/** Throws a RangeError naming the first field out of range. */
export function validateAugmentConfig(config: AugmentConfig): void {
  const fail = (field: string, why: string) => {
    throw new RangeError(`augmentation ${field} ${why}`);
  };
  if (!Number.isInteger(config.outputSize) || config.outputSize < 2)
    fail('outputSize', 'must be a whole number ≥ 2');
  blurRadius(config);
  const [s0, s1] = config.cropScale;
  if (!(s0 > 0 && s0 <= s1 && s1 <= 1))
    fail('cropScale', `must satisfy 0 < min ≤ max ≤ 1, got [${s0}, ${s1}]`);
  const [r0, r1] = config.cropRatio;
  if (!(r0 > 0 && r0 <= r1 && Number.isFinite(r1)))
    fail('cropRatio', `must satisfy 0 < min ≤ max, got [${r0}, ${r1}]`);
  for (const key of ['flipProb', 'jitterProb', 'grayscaleProb', 'blurProb', 'solarizeProb'] as const) {
    const p = config[key];
    if (!(p >= 0 && p <= 1)) fail(key, `must be a probability in [0, 1], got ${p}`);
  }
  if (!(config.jitterStrength >= 0 && Number.isFinite(config.jitterStrength))) {
    fail('jitterStrength', `must be ≥ 0, got ${config.jitterStrength}`);
  }
  const t = config.solarizeThreshold;
  if (t !== undefined && !(t >= 0 && t <= 1)) fail('solarizeThreshold', `must be in [0, 1], got ${t}`);
  const [b0, b1] = config.blurSigma;
  if (!(b0 >= 0 && b0 <= b1 && Number.isFinite(b1)))
    fail('blurSigma', `must satisfy 0 ≤ min ≤ max, got [${b0}, ${b1}]`);
}

/** Border added around the input before cropping; `AugmentParams.boxes` refer to the padded image. */
export const CROP_PAD = 1;

/** Every random choice for one batch, drawn in JS, so the tensor work is a pure function of them. */
export interface AugmentParams {
  /** cropAndResize boxes [y1, x1, y2, x2] per image in the padded image; x1 > x2 where flipped. */
  boxes: Float32Array;
  flipped: Uint8Array;
  jittered: Uint8Array;
  /** Per image: factors for brightness, contrast, saturation and the hue shift, in that order. */
  jitterFactors: Float32Array;
  /** Per image: the order (indices into jitterOps) in which the four jitter ops are applied. */
  jitterOrder: Uint8Array;
  grayscale: Uint8Array;
  /** Blur sigma per image; 0 where not blurred. */
  blurSigma: Float32Array;
  solarized: Uint8Array;
}

export function sampleAugmentParams(
  count: number,
  height: number,
  width: number,
  config: AugmentConfig,
  rng: Rng,
): AugmentParams {
  const p: AugmentParams = {
    boxes: new Float32Array(count * 4),
    flipped: new Uint8Array(count),
    jittered: new Uint8Array(count),
    jitterFactors: new Float32Array(count * 4),
    jitterOrder: new Uint8Array(count * 4),
    grayscale: new Uint8Array(count),
    blurSigma: new Float32Array(count),
    solarized: new Uint8Array(count),
  };
  // SimCLR appendix A: brightness, contrast, saturation 0.8s and hue 0.2s (a fraction of the colour circle).
  const s = config.jitterStrength;
  const lo = Math.max(0, 1 - 0.8 * s);
  const hi = 1 + 0.8 * s;
  const hue = Math.min(0.5, 0.2 * s);
  for (let b = 0; b < count; b++) {
    const rect = sampleCropRect(rng, height, width, config.cropScale, config.cropRatio);
    const flip = rng.chance(config.flipProb);
    p.flipped[b] = flip ? 1 : 0;
    p.boxes.set(cropBox(rect, height, width, flip, CROP_PAD), b * 4);
    if (rng.chance(config.jitterProb)) {
      p.jittered[b] = 1;
      p.jitterFactors.set(
        [rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(-hue, hue)],
        b * 4,
      );
      // A fresh random order per image, as in SimCLR's color_jitter_rand and torchvision's ColorJitter.
      p.jitterOrder.set(rng.permutation(4), b * 4);
    } else {
      p.jitterFactors.set([1, 1, 1, 0], b * 4);
      p.jitterOrder.set([0, 1, 2, 3], b * 4);
    }
    p.grayscale[b] = rng.chance(config.grayscaleProb) ? 1 : 0;
    p.blurSigma[b] = rng.chance(config.blurProb) ? rng.uniform(config.blurSigma[0], config.blurSigma[1]) : 0;
    p.solarized[b] = rng.chance(config.solarizeProb) ? 1 : 0;
  }
  return p;
}

/** Colour jitter in four stages, each image applying its own op of the stage, then grayscale. */
function applyColour(x: tf.Tensor4D, p: AugmentParams): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const cc = c * c;
  let flat = tf.reshape(x, [n, h * w, c]) as tf.Tensor3D;
  if (p.jittered.some((v) => v === 1)) {
    for (let stage = 0; stage < 4; stage++) {
      const matrices = new Float32Array(n * cc);
      const offsets = new Float32Array(n);
      let anyContrast = false;
      for (let b = 0; b < n; b++) {
        const opIndex = p.jitterOrder[b * 4 + stage]!;
        const op = jitterOps[opIndex]!;
        const f = p.jitterFactors[b * 4 + opIndex]!;
        jitterMatrix(op, f, c, matrices, b * cc);
        if (op === 'contrast' && f !== 1) {
          offsets[b] = 1 - f;
          anyContrast = true;
        }
      }
      flat = colourStage(flat, matrices, anyContrast ? offsets : null, true);
    }
  }
  if (p.grayscale.some((v) => v === 1)) {
    const matrices = new Float32Array(n * cc);
    for (let b = 0; b < n; b++) {
      if (p.grayscale[b]) grayscaleMatrix(c, matrices, b * cc);
      else jitterMatrix('brightness', 1, c, matrices, b * cc);
    }
    flat = colourStage(flat, matrices, null, false);
  }
  return tf.reshape(flat, [n, h, w, c]) as tf.Tensor4D;
}

/** Applies drawn parameters to a float32 NHWC batch in [0, 1]. */
export function applyAugment(images: tf.Tensor4D, p: AugmentParams, config: AugmentConfig): tf.Tensor4D {
  return tf.tidy(() => {
    const n = images.shape[0];
    const size = config.outputSize;
    const boxInd = tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => i),
      'int32',
    );
    // The wasm kernel computes sample positions in float32 and fills any that round past the last pixel
    // with the extrapolation value (0), which blackened the border row or column of crops touching the
    // edge. A one-pixel replicated border makes those samples read the edge pixel, as they should.
    const padded = tf.mirrorPad(
      images,
      [
        [0, 0],
        [CROP_PAD, CROP_PAD],
        [CROP_PAD, CROP_PAD],
        [0, 0],
      ],
      'symmetric',
    );
    let x = tf.image.cropAndResize(padded, tf.tensor2d(p.boxes, [n, 4]), boxInd, [size, size], 'bilinear');
    x = applyColour(x, p);
    if (p.blurSigma.some((v) => v > 0)) {
      // The kernel is 10% of the image side as in SimCLR (Appendix A; methods/views.ts sets it), or
      // ±3σ of the largest sigma allowed where a view names no size.
      x = gaussianBlur(x, p.blurSigma, blurRadius(config));
    }
    if (p.solarized.some((v) => v === 1)) {
      // BYOL (Grill et al. 2020, appendix B): x → x below the threshold, 1 - x at or above it.
      const mask = tf.tensor4d(p.solarized, [n, 1, 1, 1], 'bool');
      const over = tf.logicalAnd(tf.greaterEqual(x, config.solarizeThreshold ?? 0.5), mask);
      x = tf.where(over, tf.sub(1, x), x) as tf.Tensor4D;
    }
    return x;
  });
}

/**
 * Augments a float32 NHWC batch in [0, 1] into `config.outputSize`² views, drawing each image's random
 * parameters from `rng`. The same rng state and input give the same output on a given backend.
 */
export function augmentBatch(images: tf.Tensor4D, config: AugmentConfig, rng: Rng): tf.Tensor4D {
  validateAugmentConfig(config);
  const [n, h, w] = images.shape;
  return applyAugment(images, sampleAugmentParams(n, h, w, config, rng), config);
}

/** (x - mean) / std per channel, on the last axis. */
export function normalize(images: tf.Tensor4D, mean: readonly number[], std: readonly number[]): tf.Tensor4D {
  // Statistics come as three values; a greyscale dataset uses the first (broadcasting all three would
  // silently turn one channel into three).
  const c = images.shape[3];
  return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d(mean.slice(0, c))), tf.tensor1d(std.slice(0, c))));
}
