import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { l2Normalize } from '../losses/common';
import { infoNceQueueLoss } from '../losses/infonce_queue';
import { createBackbone } from '../nn/backbones';
import { Linear } from '../nn/layers';
import { Module } from '../nn/module';
import { initTarget } from '../nn/momentum';
import { KeyQueue } from '../nn/queue';
import { cosineSchedule, mocoStepSchedule } from '../nn/schedule';
import { Tower } from '../nn/tower';
import { rngState, stateGroup } from '../nn/training-state';
import type { Rng } from '../util/rng';
import type { SharedConfig, SharedDefaults } from './config';
import type { MethodDefinition, MethodEnvironment, MethodInstance } from './method';
import { symmetricViews } from './ssl-views';
import { momentumField, projectionDimField, queueSizeField, temperatureField } from './fields';

/** The learning-rate schedule field of MoCo v1 (step, its default) and v2 (cosine, its default). */
export const lrScheduleField = (defaultValue: 'cosine' | 'step', description: string) =>
  z.enum(['cosine', 'step']).default(defaultValue).describe(description).meta({ group: 'optimisation' });

/**
 * Config fields common to MoCo v1 and v2; v2 overrides the temperature and schedule defaults and adds
 * its MLP width.
 */
export const mocoFields = {
  queueSize: queueSizeField(
    4096,
    'Negative keys K in the queue (paper: 65536 for ImageNet). Clamped to a multiple of the batch size ≤ train size − batch size.',
    'keys',
  ),
  encoderMomentum: momentumField(0.999, 'Key-encoder momentum m in θk ← m·θk + (1 − m)·θq (paper: 0.999).'),
  temperature: temperatureField(0.07, 'InfoNCE temperature τ (MoCo v1: 0.07; v2: 0.2).'),
  projectionDim: projectionDimField(128, 'Size of the normalised embedding q, k (paper: 128).'),
  bnGroups: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe(
      'Shuffling BN: groups normalised separately, keys shuffled across them (paper: 8 GPUs × 32 images). 1 turns it off.',
    )
    .meta({ group: 'method', unit: 'groups' }),
  lrSchedule: lrScheduleField(
    'step',
    'Learning-rate schedule: step (× 0.1 at 60% and 80% of the run, MoCo v1’s epochs 120 and 160 of 200) or cosine (MoCo v2).',
  ),
};

/** MoCo's optimisation recipe (SGD, lr 0.03 at batch 256, weight decay 1e-4, no warm-up), kept by MoCo v2. */
export const mocoOptimisationDefaults = {
  optimizer: 'sgd',
  lr: 0.03,
  momentum: 0.9,
  weightDecay: 1e-4,
  warmupEpochs: 0,
} satisfies Partial<SharedDefaults>;

type MocoConfig = SharedConfig & {
  queueSize: number;
  encoderMomentum: number;
  temperature: number;
  projectionDim: number;
  bnGroups: number;
  lrSchedule: 'cosine' | 'step';
};

/**
 * The queue length used for a requested K: at most trainSize − batchSize (with K = trainSize every
 * image's own stale key from the last epoch would sit in the queue as a negative of its new query),
 * rounded down to a multiple of the batch size as MoCo asserts (K % batch == 0), and at least 1.
 */
export function effectiveQueueSize(requested: number, batchSize: number, trainSize: number): number {
  const b = Math.max(1, Math.min(batchSize, trainSize));
  const limit = Math.min(requested, trainSize - b);
  if (limit < b) return Math.max(1, limit);
  return Math.floor(limit / b) * b;
}

/** Sizes of `groups` near-equal consecutive groups of n samples, each of ≥ 2 (batch norm needs two). */
export function groupSizes(n: number, groups: number): number[] {
  const g = Math.max(1, Math.min(groups, Math.floor(n / 2)));
  const base = Math.floor(n / g);
  return Array.from({ length: g }, (_, i) => base + (i < n % g ? 1 : 0));
}

/**
 * Forward pass with batch norm split into groups ("SplitBatchNorm" of MoCo's CIFAR-10 demo): each
 * consecutive group of the batch goes through the network on its own, so every BN layer normalises it
 * with its own statistics, as each GPU did in the paper. (Running statistics are then updated once per
 * group rather than once per step.)
 */
export function groupedForward(net: Module, x: tf.Tensor4D, groups: number): tf.Tensor2D {
  const sizes = groupSizes(x.shape[0], groups);
  if (sizes.length === 1) return net.forward(x, true) as tf.Tensor2D;
  const parts = tf.split(x, sizes, 0).map((part) => net.forward(part, true));
  return tf.concat(parts, 0) as tf.Tensor2D;
}

/**
 * Shuffling BN (He et al. 2020, Sec. 3.3) on one device. With ordinary BN the query q_i and its positive
 * key k_i are normalised with statistics of the same batch, while every negative in the queue was
 * normalised with another batch's: the "signature" of the batch statistics then identifies the positive,
 * and the model cheats the pretext task instead of learning. The paper computes BN per GPU and shuffles
 * the keys across GPUs, so a query's and its key's statistics come from different subsets of images.
 * We do the same with groups: the query encoder normalises consecutive groups of the batch; the key
 * batch is shuffled by a random permutation π, normalised group by group, and unshuffled (π⁻¹), so key
 * k_i is normalised with a random group whose overlap with q_i's group is about 1/G of the images.
 */
export function shuffledKeyForward(net: Module, x: tf.Tensor4D, groups: number, rng: Rng): tf.Tensor2D {
  const n = x.shape[0];
  if (groupSizes(n, groups).length === 1) return net.forward(x, true) as tf.Tensor2D;
  const perm = rng.permutation(n);
  const inverse = new Int32Array(n);
  perm.forEach((p, i) => (inverse[p] = i));
  const shuffled = tf.gather(x, tf.tensor1d(perm, 'int32'));
  const keys = groupedForward(net, shuffled as tf.Tensor4D, groups);
  return tf.gather(keys, tf.tensor1d(inverse, 'int32'));
}

/** MoCo's modules, exposed for tests. */
export interface MocoInstance extends MethodInstance {
  readonly query: Tower;
  readonly key: Tower;
  readonly queue: KeyQueue;
}

/**
 * MoCo v1/v2 (He et al. 2020; Chen et al. 2020): query encoder f_q (trained), key encoder f_k (momentum
 * average of f_q), a queue of the keys of recent batches as negatives, InfoNCE (Eq. 1) on (q, k⁺, queue).
 * `makeHead(inDim, rng)` builds the head: linear for v1, a 2-layer MLP for v2.
 */
export function createMoco(
  config: MocoConfig,
  env: MethodEnvironment,
  makeHead: (inDim: number, rng: Rng) => Module,
): MocoInstance {
  const rng = env.rng;
  const makeTower = (r: Rng) => {
    const backbone = createBackbone(config.backbone, config.width, r, env.channels, env.imageSize);
    return new Tower(backbone, makeHead(backbone.outputDim, r));
  };
  const query = makeTower(rng.fork());
  const key = initTarget(query, makeTower(rng.fork()));
  const queue = new KeyQueue(
    effectiveQueueSize(config.queueSize, config.batchSize, env.trainSize),
    config.projectionDim,
    rng.fork(),
  );
  const shuffleRng = rng.fork();
  let pendingKeys: tf.Tensor2D | null = null;
  // Between steps: the queue, and where the shuffling BN's permutations have got to.
  const state = stateGroup({ queue, shuffle: rngState(shuffleRng) });

  return {
    encoder: query.backbone,
    query,
    key,
    queue,
    trainableParameters: () => query.namedParameters('query.'),
    // MoCo v1 steps its rate down (He et al. 2020, Sec. 4.1); v2 uses a cosine (Chen et al. 2020, Sec. 2).
    optimisation: { lrSchedule: config.lrSchedule === 'step' ? mocoStepSchedule : cosineSchedule },
    trainingState: () => state.trainingState(),
    restoreTrainingState: (saved) => state.restoreTrainingState(saved),
    // The key encoder θ_k ← m·θ_k + (1 − m)·θ_q with a constant m (Eq. 2).
    momentumPairs: [{ online: query, target: key, momentum: () => config.encoderMomentum }],
    step(batch) {
      const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
      const q = groupedForward(query, v1, config.bnGroups);
      const k = shuffledKeyForward(key, v2, config.bnGroups, shuffleRng);
      pendingKeys?.dispose();
      pendingKeys = tf.keep(l2Normalize(k));
      return { loss: infoNceQueueLoss(q, k, queue.keys, config.temperature) };
    },
    afterStep() {
      // Algorithm 1: after the key encoder's momentum update, enqueue this batch's keys (dropping the oldest).
      if (pendingKeys) {
        queue.enqueue(pendingKeys);
        pendingKeys.dispose();
        pendingKeys = null;
      }
    },
    dispose() {
      pendingKeys?.dispose();
      query.dispose();
      key.dispose();
      queue.dispose();
    },
  };
}

/** MoCo v1's head: the encoder's fc layer replaced by a linear map to 128 dims. */
const linearHead = (projectionDim: number) => (inDim: number, rng: Rng) =>
  new Linear(inDim, projectionDim, rng);

/**
 * MoCo v1 (He, Fan, Wu, Xie, Girshick 2020). Paper: ResNet-50, SGD lr 0.03 at batch 256, weight decay
 * 1e-4, 200 epochs with a step schedule (`lrSchedule`: × 0.1 at epochs 120 and 160), crop scale
 * (0.2, 1), colour jitter (0.4, 0.4, 0.4, 0.4) always applied (ours: strength 0.5, hue 0.1),
 * grayscale 0.2, no blur.
 */
export const moco: MethodDefinition<typeof mocoFields> = {
  id: 'moco',
  title: 'MoCo',
  family: 'momentum-encoder',
  idea: 'A momentum-averaged key encoder fills a queue of negatives far larger than the batch.',
  paper: {
    title: 'Momentum Contrast for Unsupervised Visual Representation Learning',
    authors: 'He, Fan, Wu, Xie, Girshick',
    year: 2019,
    url: 'https://arxiv.org/abs/1911.05722',
  },
  fields: mocoFields,
  sharedDefaults: {
    ...mocoOptimisationDefaults,
    cropMinScale: 0.2,
    jitterProb: 1,
    jitterStrength: 0.5,
    grayscaleProb: 0.2,
    blurProb: 0,
    solarizeProb: 0,
  },
  viewPlan: (config, imageSize) => symmetricViews(config, imageSize),
  create: (config, env) => createMoco(config, env, linearHead(config.projectionDim)),
};
