import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { mocoV3Loss } from '../losses/mocov3';
import { createBackbone, type BackboneId } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import { projectionPredictor } from '../nn/heads/projection-predictor';
import { initTarget } from '../nn/momentum';
import { cosineRamp } from '../nn/schedule';
import { Tower } from '../nn/tower';
import { VisionTransformer, vitTiny } from '../nn/vit';
import type { Rng } from '../util/rng';
import { onlineTargetInstance, predictAndProject, type OnlineTargetModules } from './encoder-head';
import type { MethodDefinition, MethodInstance } from './method';
import { scheduleMetric } from '../../domain';
import { asymmetricViews, byolAugmentationDefaults, secondViewBlurProbField } from './ssl-views';
import { momentumField, projectorPredictorDimFields, temperatureField } from './fields';

const fields = {
  temperature: temperatureField(0.2, 'Contrastive temperature τ (paper: 0.2 for ViT, 1.0 for ResNet-50).'),
  encoderMomentum: momentumField(
    0.99,
    'Momentum-encoder m at the start, raised to 1 on a cosine over training (paper: 0.99).',
  ),
  ...projectorPredictorDimFields(),
  freezePatchEmbed: z
    .boolean()
    .default(true)
    .describe(
      'ViT only: keep the random patch projection fixed, the paper’s fix for training instability (Sec. 4.1).',
    )
    .meta({ group: 'method' }),
  secondViewBlurProb: secondViewBlurProbField,
};

/** MoCo v3's modules, exposed for tests. */
export interface MocoV3Instance extends MethodInstance, OnlineTargetModules {}

/** Backbone for MoCo v3: ViT-tiny with fixed 2-D sin-cos position embeddings (as the paper's vits.py), or a CNN. */
function mocoV3Backbone(id: BackboneId, width: number, rng: Rng, channels: number, imageSize: number) {
  return id === 'vit_tiny'
    ? vitTiny(width, rng, channels, imageSize, 'sincos')
    : createBackbone(id, width, rng, channels, imageSize);
}

/**
 * MoCo v3 (Chen, Xie, He 2021): two views, a base encoder with projector and predictor, a momentum
 * encoder (backbone + projector) for the keys, and a symmetrised contrastive loss whose keys are the
 * other images of the batch (no queue): L = ctr(q1, k2) + ctr(q2, k1), Alg. 1. Paper (ViT): AdamW,
 * lr 1.5e-4 at batch 256, weight decay 0.1, 40 warm-up epochs of 300, τ 0.2, m 0.99 → 1, projector
 * 3 layers / predictor 2 layers with 4096 hidden units and BN (last projector BN without affine),
 * BYOL's asymmetric augmentation. With a ResNet the paper uses a 2-layer projector, LARS and τ 1.0.
 * Batch norm in the heads sees each view's whole batch (the paper's SyncBN): with in-batch keys all
 * keys share the batch statistics, so they cannot give the positive away (unlike MoCo v1's queue).
 */
export const mocov3: MethodDefinition<typeof fields> = {
  id: 'mocov3',
  title: 'MoCo v3',
  family: 'momentum-encoder',
  idea: 'Symmetric in-batch contrastive loss with a predictor and a momentum encoder, stable for ViTs.',
  paper: {
    title: 'An Empirical Study of Training Self-Supervised Vision Transformers',
    authors: 'Chen, Xie, He',
    year: 2021,
    url: 'https://arxiv.org/abs/2104.02057',
  },
  fields,
  // m at each step, on a cosine to 1 as BYOL's τ (Grill et al. 2020, Sec. 3.2).
  metrics: {
    encoder_momentum: scheduleMetric({ en: 'Momentum-encoder coefficient m', zh: '动量编码器系数 m' }),
  },
  sharedDefaults: {
    backbone: 'vit_tiny',
    // A ViT's saved activations at batch 128 (two or more views) outgrow the wasm backend's heap.
    batchSize: 64,
    optimizer: 'adamw',
    lr: 1.5e-4,
    weightDecay: 0.1,
    warmupEpochs: 1,
    ...byolAugmentationDefaults,
  },
  viewPlan: (config, imageSize) => asymmetricViews(config, imageSize, config.secondViewBlurProb),
  create(config, env): MocoV3Instance {
    const rng = env.rng;
    const isVit = config.backbone === 'vit_tiny';
    const makeTower = (r: Rng) => {
      const backbone = mocoV3Backbone(config.backbone, config.width, r, env.channels, env.imageSize);
      // Projector: 3 layers for ViT, 2 for ResNet, BN after every layer, the last without affine (Sec. 4.1).
      const projector = mlpHead(
        backbone.outputDim,
        config.projectionHiddenDim,
        config.projectionDim,
        isVit ? 3 : 2,
        r,
        true,
      );
      return new Tower(backbone, projector);
    };
    const online = makeTower(rng.fork());
    const predictor = projectionPredictor(config.projectionDim, config.projectionHiddenDim, rng.fork());
    const target = initTarget(online, makeTower(rng.fork()));
    const modules = { online, predictor, target };
    const frozen = new Set<tf.Variable>(
      isVit && config.freezePatchEmbed && online.backbone instanceof VisionTransformer
        ? online.backbone.patchEmbedParameters()
        : [],
    );
    const momentumAt = (step: number, total: number) => cosineRamp(step, total, config.encoderMomentum, 1);

    return {
      ...onlineTargetInstance(modules, frozen),
      // The momentum encoder f_k ← m·f_k + (1 − m)·f_q (Alg. 1), m on a cosine from its start to 1.
      momentumPairs: [{ online, target, momentum: (ctx) => momentumAt(ctx.step, ctx.totalSteps) }],
      step(batch, ctx) {
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        // Each view is its own batch, as in the reference code (q1 = predictor(base_encoder(x1)), …).
        const { p1: q1, p2: q2, z1: k1, z2: k2 } = predictAndProject(modules, v1, v2);
        return {
          loss: mocoV3Loss(q1, q2, k1, k2, config.temperature),
          logs: { encoder_momentum: tf.scalar(momentumAt(ctx.step, ctx.totalSteps)) },
        };
      },
    };
  },
};
