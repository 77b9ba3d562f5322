import * as tf from '@tensorflow/tfjs-core';
import { byolLoss } from '../losses/byol';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import { projectionPredictor } from '../nn/heads/projection-predictor';
import { initTarget } from '../nn/momentum';
import { cosineRamp } from '../nn/schedule';
import { Tower } from '../nn/tower';
import type { Rng } from '../util/rng';
import { onlineTargetInstance, predictAndProject, type OnlineTargetModules } from './encoder-head';
import type { MethodDefinition, MethodInstance } from './method';
import { scheduleMetric } from '../../domain';
import { asymmetricViews, byolAugmentationDefaults, secondViewBlurProbField } from './ssl-views';
import { momentumField, projectorPredictorDimFields } from './fields';

const fields = {
  targetDecay: momentumField(
    0.996,
    'Target decay τ_base, raised to 1 on a cosine: τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2 (paper: 0.996).',
  ),
  ...projectorPredictorDimFields(),
  secondViewBlurProb: secondViewBlurProbField,
};

/** BYOL's modules, exposed for tests. */
export interface ByolInstance extends MethodInstance, OnlineTargetModules {}

/**
 * BYOL (Grill et al. 2020): an online network (encoder, projector, predictor) regresses the target
 * network's projection of the other view; the target is an EMA of the online encoder and projector
 * (Sec. 3.1). No negatives. Paper: ResNet-50, LARS with base lr 0.2 at batch 256 (scaled linearly),
 * weight decay 1.5e-6, 10 warm-up epochs of 1000, τ_base 0.996, MLPs 4096 → 256 with BN, and
 * asymmetric augmentations (appendix B, Table 6): blur 1.0 / 0.1, solarize 0 / 0.2, colour jitter p 0.8
 * (0.4, 0.4, 0.2, 0.1; ours: strength 0.5 gives saturation 0.4), grayscale 0.2, crop scale (0.08, 1).
 */
export const byol: MethodDefinition<typeof fields> = {
  id: 'byol',
  title: 'BYOL',
  family: 'no-negatives',
  idea: 'An online network predicts a slowly averaged target network’s projection of another view.',
  paper: {
    title: 'Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning',
    authors:
      'Grill, Strub, Altché, Tallec, Richemond, Buchatskaya, Doersch, Pires, Guo, Azar, Piot, Kavukcuoglu, Munos, Valko',
    year: 2020,
    url: 'https://arxiv.org/abs/2006.07733',
  },
  fields,
  // τ of the cosine schedule (Sec. 3.2) at each step.
  metrics: { target_decay: scheduleMetric({ en: 'Target decay τ', zh: '目标网络衰减率 τ' }) },
  sharedDefaults: {
    optimizer: 'lars',
    lr: 0.2,
    momentum: 0.9,
    weightDecay: 1.5e-6,
    warmupEpochs: 1,
    ...byolAugmentationDefaults,
  },
  viewPlan: (config, imageSize) => asymmetricViews(config, imageSize, config.secondViewBlurProb),
  create(config, env): ByolInstance {
    const rng = env.rng;
    const makeTower = (r: Rng) => {
      const backbone = createBackbone(config.backbone, config.width, r, env.channels, env.imageSize);
      return new Tower(
        backbone,
        mlpHead(backbone.outputDim, config.projectionHiddenDim, config.projectionDim, 2, r),
      );
    };
    const online = makeTower(rng.fork());
    const predictor = projectionPredictor(config.projectionDim, config.projectionHiddenDim, rng.fork());
    const target = initTarget(online, makeTower(rng.fork()));
    const modules = { online, predictor, target };
    const decayAt = (step: number, total: number) => cosineRamp(step, total, config.targetDecay, 1);

    return {
      ...onlineTargetInstance(modules),
      // ξ ← τξ + (1 − τ)θ with τ on BYOL's cosine schedule from τ_base to 1 (Sec. 3.2).
      momentumPairs: [{ online, target, momentum: (ctx) => decayAt(ctx.step, ctx.totalSteps) }],
      step(batch, ctx) {
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        // byolLoss stops the gradient of the target projections z (Eq. 2, sg(z′)).
        const { p1, p2, z1, z2 } = predictAndProject(modules, v1, v2);
        return {
          loss: byolLoss(p1, p2, z1, z2),
          logs: { target_decay: tf.scalar(decayAt(ctx.step, ctx.totalSteps)) },
        };
      },
    };
  },
};
