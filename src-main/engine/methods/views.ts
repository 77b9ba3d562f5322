import type { AugmentConfig } from '../../domain';
import { blurKernelSize } from '../data/blur';
import type { SharedConfig } from './config';

/**
 * The augmentation of one view from the shared augmentation fields (SimCLR appendix A), for images of
 * `imageSize` pixels: the blur kernel is 10% of the image side (SimCLR's rule, blurKernelSize). Views
 * smaller than the image (multi-crop's local crops) pass their own `outputSize`; their blur keeps the
 * kernel and σ of the image, so it removes the same detail from every crop of it.
 */
export function augmentationFromConfig(
  config: SharedConfig,
  imageSize: number,
  outputSize = imageSize,
): AugmentConfig {
  return {
    outputSize,
    cropScale: [config.cropMinScale, 1],
    cropRatio: [3 / 4, 4 / 3],
    flipProb: config.flipProb,
    jitterProb: config.jitterProb,
    jitterStrength: config.jitterStrength,
    grayscaleProb: config.grayscaleProb,
    blurProb: config.blurProb,
    blurSigma: [0.1, 2.0],
    blurKernelSize: blurKernelSize(imageSize),
    solarizeProb: config.solarizeProb,
  };
}

/** Two views drawn from the same distribution, the plan of SimCLR, MoCo and most of their successors. */
export function twoViews(config: SharedConfig, imageSize: number) {
  const a = augmentationFromConfig(config, imageSize);
  return { global: [a, a], local: [] };
}

/**
 * The side of multi-crop's local crops relative to the image: SwAV and DINO take 96-px local crops of
 * 224-px images (Caron et al. 2020, Sec. 3.2; Caron et al. 2021, Sec. 3.1), the global crops being the
 * image's own size.
 */
export const LOCAL_CROP_FRACTION = 96 / 224;

/**
 * The local crop side for `imageSize`-px images: round(imageSize · 96/224) (14 at 32 px, 41 at 96, 96 at
 * 224), or a multiple of `multiple` nearest to it, at least one (DINO with a ViT: whole patches, so the
 * local crops are tokenised with the patch size of the global ones). `configured` > 0 is the user's own
 * side and wins; 0 asks for this rule.
 */
export function localCropSide(imageSize: number, configured = 0, multiple = 1): number {
  if (configured > 0) return configured;
  return Math.max(multiple, Math.round((imageSize * LOCAL_CROP_FRACTION) / multiple) * multiple);
}
