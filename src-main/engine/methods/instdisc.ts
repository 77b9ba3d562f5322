import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { instDiscNceLoss } from '../losses/instdisc_nce';
import { instDiscSoftmaxLoss } from '../losses/instdisc_softmax';
import { createBackbone, type Backbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import type { Module } from '../nn/module';
import type { NamedParameter } from '../nn/optimizers';
import {
  expectOnly,
  makeTrainingState,
  rngState,
  savedNumber,
  stateGroup,
  type Stateful,
  type TrainingState,
} from '../nn/training-state';
import type { Rng } from '../util/rng';
import type { SharedConfig } from './config';
import { estimateNceNormalizer, MemoryBank, sampleNoiseIndices } from './memory-bank';
import type { MethodDefinition, MethodEnvironment, MethodInstance, StepResult, TrainBatch } from './method';
import { augmentationFromConfig } from './views';
import { embeddingDimField, momentumField, temperatureField } from './fields';

const fields = {
  temperature: temperatureField(
    0.1,
    'Temperature τ of the non-parametric softmax exp(v·f/τ) (released CIFAR recipe: 0.1; paper, ImageNet: 0.07).',
  ),
  featureDim: embeddingDimField(
    128,
    'Size of the L2-normalised feature kept per image in the memory bank (paper: 128).',
  ),
  noiseSamples: z
    .number()
    .int()
    .min(0)
    .max(65536)
    .default(0)
    .describe(
      '0: exact softmax over every bank row (Eq. 2), as the released CIFAR recipe (nce-k 0); m > 0: NCE with m uniform noise samples per image (Eq. 4–7; paper, ImageNet: 4096), capped at the number of training images.',
    )
    .meta({ group: 'method', unit: 'samples' }),
  bankMomentum: momentumField(
    0.5,
    'Memory-bank update v ← normalize(m·v + (1−m)·f): the share of the old row kept (paper: 0.5).',
  ),
  proximalLambda: z
    .number()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      'Proximal regularisation λ‖v − bank_i‖² (paper Sec. 3.3, Eq. 10); 0 (default) switches it off, as the released code does: its bank momentum plays that role.',
    )
    .meta({ group: 'method' }),
};

type InstDiscConfig = SharedConfig & z.infer<z.ZodObject<typeof fields>>;

/**
 * InstDisc as a running instance: encoder f, a linear map to `featureDim`, the memory bank and, with NCE, the
 * noise sampler and the normalising constant Z (null until the first step estimates it).
 */
export class InstDiscInstance implements MethodInstance {
  readonly encoder: Backbone;
  readonly head: Module;
  /** The head, where the diagnostics take SimSiam's std (a getter: not a checkpoint module of its own). */
  get projector(): Module {
    return this.head;
  }
  readonly bank: MemoryBank;
  /** NCE noise samples actually drawn per image: the configured m capped at the dataset size; 0: exact softmax. */
  readonly noiseSamples: number;
  private z: number | null = null;
  private pendingRows: tf.Tensor2D | null = null;
  private readonly rng: Rng;
  /** Between steps: the bank, the noise stream's position and Z (null until the first NCE step). */
  private readonly state: Stateful;

  constructor(
    private readonly config: InstDiscConfig,
    env: MethodEnvironment,
  ) {
    this.encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    // The released ResNet ends in one linear layer to low_dim, then L2 normalisation (done in the loss).
    this.head = mlpHead(this.encoder.outputDim, config.featureDim, config.featureDim, 1, env.rng);
    this.bank = new MemoryBank(env.trainSize, config.featureDim, env.rng.fork());
    this.noiseSamples = Math.min(config.noiseSamples, env.trainSize);
    this.rng = env.rng.fork();
    const normalizer: Stateful = {
      trainingState: () => makeTrainingState([], [['z', this.z]]),
      restoreTrainingState: (state) => {
        expectOnly(state, [], ['z']);
        this.z = savedNumber(state, 'z', true);
      },
    };
    this.state = stateGroup({ bank: this.bank, noise: rngState(this.rng), nce: normalizer });
  }

  trainingState(): TrainingState {
    return this.state.trainingState();
  }

  restoreTrainingState(state: TrainingState): void {
    this.state.restoreTrainingState(state);
  }

  /** The fixed NCE normalising constant Z (Eq. 6), or null before the first NCE step (always null with softmax). */
  get normalizer(): number | null {
    return this.z;
  }

  trainableParameters(): NamedParameter[] {
    return [...this.encoder.namedParameters('encoder.'), ...this.head.namedParameters('head.')];
  }

  step(batch: TrainBatch): StepResult {
    const [x] = batch.views as [tf.Tensor4D];
    const v = this.head.forward(this.encoder.forward(x, true), true) as tf.Tensor2D;
    const index = tf.tensor1d(batch.indices, 'int32');
    const { temperature, proximalLambda, bankMomentum } = this.config;
    const { loss, updatedBankRows } =
      this.noiseSamples === 0
        ? instDiscSoftmaxLoss(v, this.bank.rows, index, { temperature, proximalLambda, bankMomentum })
        : this.nceLoss(v, index);
    // The new bank rows come from this forward pass (Sec. 3.2); they are written after the optimiser step.
    this.pendingRows?.dispose();
    this.pendingRows = tf.keep(updatedBankRows);
    return { loss };
  }

  /** NCE against m uniform noise rows (Eq. 4–7) with Z estimated once, from the first batch (Eq. 6). */
  private nceLoss(v: tf.Tensor2D, index: tf.Tensor1D) {
    const noise = sampleNoiseIndices(this.rng, v.shape[0], this.noiseSamples, this.bank.size);
    const { temperature, proximalLambda, bankMomentum } = this.config;
    if (this.z === null) this.z = estimateNceNormalizer(v, this.bank.rows, noise, temperature, index);
    return instDiscNceLoss(v, this.bank.rows, index, noise, {
      temperature,
      z: this.z,
      proximalLambda,
      bankMomentum,
    });
  }

  afterStep(batch: TrainBatch): void {
    if (!this.pendingRows) return;
    this.bank.setRows(batch.indices, this.pendingRows);
    this.pendingRows.dispose();
    this.pendingRows = null;
  }

  dispose(): void {
    this.pendingRows?.dispose();
    this.pendingRows = null;
    this.encoder.dispose();
    this.head.dispose();
    this.bank.dispose();
  }
}

/**
 * InstDisc (Wu et al. 2018): every image is its own class. A non-parametric softmax over a memory bank of one
 * 128-d feature per image (Eq. 2), computed exactly by default as the released CIFAR recipe does, or
 * approximated by NCE with m uniform noise samples and a normalising constant Z estimated once (Eq. 4–7); the
 * bank rows are refreshed with momentum 0.5 (Sec. 3.2); an optional proximal term keeps each feature near its
 * bank entry (Sec. 3.3). One augmented view per image.
 *
 * Why not NCE by default: Z is estimated while the bank still holds random unit vectors; once the bank holds the
 * network's features, which start out concentrated around one direction, exp(v̂·bank_j/τ)/Z overshoots m/n, the
 * noise posteriors h saturate near 1 and the m noise terms (weight Σ_j h_j ≫ 1, against at most 1 for the
 * positive) all push every feature away from the bank's mean: the whole cloud of features drifts, an image's own
 * row ends up no closer than other rows, and the features collapse (measured on the 4660-image CIFAR-10 subset:
 * kNN 28.8% → 8–25% after 3 epochs, depending on τ, m and λ). The exact softmax's weights sum to one, so a common
 * shift of the bank cancels between its positive and negative terms.
 */
export const instdisc: MethodDefinition<typeof fields> = {
  id: 'instdisc',
  title: 'InstDisc',
  family: 'memory-bank',
  idea: 'Each image is its own class: NCE against a memory bank holding one feature per training image.',
  paper: {
    title: 'Unsupervised Feature Learning via Non-Parametric Instance Discrimination',
    authors: 'Wu, Xiong, Yu, Lin',
    year: 2018,
    url: 'https://arxiv.org/abs/1805.01978',
  },
  fields,
  // The released CIFAR recipe (cifar.py): SGD lr 0.03 at batch 128, i.e. 0.06 under our batch/256 scaling,
  // weight decay 5e-4, no warm-up; RandomResizedCrop(0.2, 1), ColorJitter(0.4, 0.4, 0.4, 0.4) always applied
  // (s = 0.5 gives 0.4 for the first three; its hue range is 0.1 here, not 0.4), grayscale 0.2, no flip.
  sharedDefaults: {
    lr: 0.06,
    weightDecay: 5e-4,
    warmupEpochs: 0,
    cropMinScale: 0.2,
    jitterProb: 1,
    flipProb: 0,
  },
  viewPlan: (config, imageSize) => ({ global: [augmentationFromConfig(config, imageSize)], local: [] }),
  create: (config, env) => new InstDiscInstance(config, env),
};
