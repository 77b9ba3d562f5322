/** Augmented views: how each view of an image is drawn, and which views a method's step receives. */
import type { DatasetSpec } from './dataset';
import type { ImageTile } from './evaluation';

/**
 * One view's augmentation. Order of application, as in SimCLR and BYOL: random resized crop, horizontal
 * flip, colour jitter, grayscale, Gaussian blur, solarize.
 */
export interface AugmentConfig {
  /** Side of the square output, in pixels. */
  outputSize: number;
  /** Range of the crop's area as a fraction of the image. */
  cropScale: [number, number];
  /** Range of the crop's aspect ratio (width / height), sampled log-uniformly. */
  cropRatio: [number, number];
  flipProb: number;
  /** Probability that an image gets colour jitter at all. */
  jitterProb: number;
  /** SimCLR's s: brightness, contrast and saturation factors in [1 - 0.8s, 1 + 0.8s], hue shift ±0.2s. */
  jitterStrength: number;
  grayscaleProb: number;
  blurProb: number;
  /** Range of the blur's standard deviation, in pixels of the output. */
  blurSigma: [number, number];
  /**
   * Side of the square blur kernel in pixels, odd (SimCLR: 10% of the image side, engine/data/blur.ts'
   * blurKernelSize); 1 leaves images unblurred. Absent: the kernel spans ±3 of the largest σ.
   */
  blurKernelSize?: number;
  solarizeProb: number;
  /** Pixels at or above this value v become 1 - v (BYOL: 0.5). */
  solarizeThreshold?: number;
}

/** Which augmented views of each image a step receives: global crops first, then small local crops. */
export interface ViewPlan {
  global: AugmentConfig[];
  local: AugmentConfig[];
}

/** The augmented views the method's current settings draw from a few dataset images. */
export interface AugmentationPreview {
  /** One name per view, in the method's view plan order, e.g. ['global 1', 'global 2', 'local 1']. */
  viewNames: string[];
  originals: ImageTile[];
  /** views[i][v]: image i's view v. */
  views: ImageTile[][];
}

export interface AugmentationPreviewInput {
  method: string;
  dataset: DatasetSpec;
  config: Record<string, unknown>;
  /** Images to show (default 6, at most 16). */
  count?: number;
  /** Changes which images and which random draws (default 0). */
  seed?: number;
}
