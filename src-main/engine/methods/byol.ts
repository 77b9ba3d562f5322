import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { byolLoss } from '../losses/byol';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads';
import type { Module } from '../nn/module';
import { initTarget, momentumUpdate } from '../nn/momentum';
import { cosineRamp } from '../nn/schedule';
import { Tower } from '../nn/tower';
import type { Rng } from '../util/rng';
import type { MethodDefinition, MethodInstance } from './method';
import { asymmetricViews, secondViewBlurProbField } from './ssl-views';

const fields = {
  targetDecay: z
    .number()
    .min(0)
    .max(1)
    .default(0.996)
    .describe(
      'Target decay τ_base, raised to 1 on a cosine: τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2 (paper: 0.996).',
    )
    .meta({ group: 'method' }),
  projectionDim: z
    .number()
    .int()
    .min(8)
    .max(4096)
    .default(256)
    .describe('Output size of projector and predictor (paper: 256).')
    .meta({ group: 'method', unit: 'dims' }),
  projectionHiddenDim: z
    .number()
    .int()
    .min(8)
    .max(8192)
    .default(512)
    .describe('Hidden width of projector and predictor MLPs (paper: 4096).')
    .meta({ group: 'method', unit: 'dims' }),
  secondViewBlurProb: secondViewBlurProbField,
};

/** BYOL's modules, exposed for tests. */
export interface ByolInstance extends MethodInstance {
  readonly online: Tower;
  readonly predictor: Module;
  readonly target: Tower;
}

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
  sharedDefaults: {
    optimizer: 'lars',
    lr: 0.2,
    momentum: 0.9,
    weightDecay: 1.5e-6,
    warmupEpochs: 1,
    cropMinScale: 0.08,
    jitterProb: 0.8,
    jitterStrength: 0.5,
    grayscaleProb: 0.2,
    blurProb: 1,
    solarizeProb: 0.2,
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
    const predictor = mlpHead(
      config.projectionDim,
      config.projectionHiddenDim,
      config.projectionDim,
      2,
      rng.fork(),
    );
    const target = initTarget(online, makeTower(rng.fork()));
    const decayAt = (step: number, total: number) => cosineRamp(step, total, config.targetDecay, 1);

    return {
      encoder: online.backbone,
      online,
      predictor,
      target,
      trainableParameters: () => [
        ...online.namedParameters('online.'),
        ...predictor.namedParameters('predictor.'),
      ],
      step(batch, ctx) {
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        // One forward per view, as the reference code does, so BN statistics are per view.
        const p1 = predictor.forward(online.forward(v1, true), true) as tf.Tensor2D;
        const p2 = predictor.forward(online.forward(v2, true), true) as tf.Tensor2D;
        // The target runs in training mode (batch statistics); byolLoss stops its gradient (Eq. 2, sg(z′)).
        const z1 = target.forward(v1, true) as tf.Tensor2D;
        const z2 = target.forward(v2, true) as tf.Tensor2D;
        return {
          loss: byolLoss(p1, p2, z1, z2),
          logs: { target_decay: tf.scalar(decayAt(ctx.step, ctx.totalSteps)) },
        };
      },
      afterStep(_batch, ctx) {
        // ξ ← τξ + (1 − τ)θ with τ on BYOL's cosine schedule (Sec. 3.2).
        momentumUpdate(online, target, decayAt(ctx.step, ctx.totalSteps));
      },
      dispose() {
        online.dispose();
        predictor.dispose();
        target.dispose();
      },
    };
  },
};
