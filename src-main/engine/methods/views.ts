import type { AugmentConfig } from '../../domain';
import type { SharedConfig } from './config';

/** The augmentation of one view from the shared augmentation fields (SimCLR appendix A). */
export function augmentationFromConfig(config: SharedConfig, outputSize: number): AugmentConfig {
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
    solarizeProb: config.solarizeProb,
  };
}

/** Two views drawn from the same distribution, the plan of SimCLR, MoCo and most of their successors. */
export function twoViews(config: SharedConfig, imageSize: number) {
  const a = augmentationFromConfig(config, imageSize);
  return { global: [a, a], local: [] };
}
