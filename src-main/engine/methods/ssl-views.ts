import type { AugmentConfig } from '../../domain';
import type { SharedConfig, SharedDefaults } from './config';
import { probabilityField } from './fields';
import type { ViewPlan } from '../../domain';
import { augmentationFromConfig } from './views';

/**
 * View plans shared by MoCo v2, MoCo v3, BYOL, SimSiam and DINO.
 *
 * The papers blur with σ ∈ [0.1, 2.0] pixels of 224-pixel crops (SimCLR appendix A; MoCo v2, BYOL,
 * DINO reuse it). We scale that range by imageSize/224, so that blur removes the same fraction of
 * an image's detail at 32 px as it does at 224 px: at 32 px σ ≤ 0.29 px, all but a no-op, which agrees
 * with SimCLR and MoCo's CIFAR practice of leaving blur out; on 96-px STL-10 images σ ≤ 0.86 px.
 * (views.ts' augmentationFromConfig keeps σ in output pixels; that is what SimCLR gets.) The kernel is
 * 10% of the image side in both (blurKernelSize: BYOL's 23×23 at 224 px, 3×3 at 32 px), ±5.5σ of the
 * largest scaled σ at every size.
 */
export function paperBlurSigma(imageSize: number): [number, number] {
  const scale = imageSize / 224;
  return [0.1 * scale, 2.0 * scale];
}

/** One view from the shared augmentation fields, paper-scaled blur, and per-view overrides. */
export function paperView(
  config: SharedConfig,
  imageSize: number,
  overrides: Partial<AugmentConfig> = {},
): AugmentConfig {
  return {
    ...augmentationFromConfig(config, imageSize),
    blurSigma: paperBlurSigma(imageSize),
    ...overrides,
  };
}

/** Two views from one distribution (MoCo v2, SimSiam), with the paper-scaled blur. */
export function symmetricViews(config: SharedConfig, imageSize: number): ViewPlan {
  const a = paperView(config, imageSize);
  return { global: [a, a], local: [] };
}

/**
 * BYOL's asymmetric pair (Grill et al. 2020, appendix B, Table 6), reused by MoCo v3 and DINO's global
 * crops: view 1 is blurred with the shared blurProb (paper 1.0) and never solarised; view 2 is blurred
 * with `secondViewBlurProb` (paper 0.1) and solarised with the shared solarizeProb (paper 0.2).
 */
export function asymmetricViews(
  config: SharedConfig,
  imageSize: number,
  secondViewBlurProb: number,
): ViewPlan {
  return {
    global: [
      paperView(config, imageSize, { solarizeProb: 0 }),
      paperView(config, imageSize, { blurProb: secondViewBlurProb }),
    ],
    local: [],
  };
}

/**
 * BYOL's augmentation defaults (appendix B, Table 6: crop scale (0.08, 1), colour jitter p 0.8, grayscale 0.2,
 * blur 1.0 on view 1 and solarize 0.2 on view 2 through asymmetricViews), reused by MoCo v3 and DINO.
 */
export const byolAugmentationDefaults = {
  cropMinScale: 0.08,
  jitterProb: 0.8,
  jitterStrength: 0.5,
  grayscaleProb: 0.2,
  blurProb: 1,
  solarizeProb: 0.2,
} satisfies Partial<SharedDefaults>;

/** MoCo v2's augmentation defaults (crop scale (0.2, 1), colour jitter p 0.8, grayscale 0.2, blur 0.5), reused by SimSiam. */
export const mocoV2AugmentationDefaults = {
  cropMinScale: 0.2,
  jitterProb: 0.8,
  jitterStrength: 0.5,
  grayscaleProb: 0.2,
  blurProb: 0.5,
  solarizeProb: 0,
} satisfies Partial<SharedDefaults>;

/** The config field of the second view's blur probability (BYOL, MoCo v3, DINO). */
export const secondViewBlurProbField = probabilityField(
  0.1,
  'Blur probability of the second view; the first uses blurProb (BYOL: 1.0 / 0.1). σ is scaled by image size/224.',
  'augmentation',
);
