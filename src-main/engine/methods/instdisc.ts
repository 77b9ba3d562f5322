import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { instDiscNceLoss } from '../losses/instdisc_nce';
import { createBackbone, type Backbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads';
import type { Module } from '../nn/module';
import type { NamedParameter } from '../nn/optimizers';
import type { Rng } from '../util/rng';
import type { SharedConfig } from './config';
import { estimateNceNormalizer, MemoryBank, sampleNoiseIndices } from './memory-bank';
import type { MethodDefinition, MethodEnvironment, MethodInstance, StepResult, TrainBatch } from './method';
import { augmentationFromConfig } from './views';
import { embeddingDimField, momentumField, noiseSamplesField, temperatureField } from './fields';

const fields = {
  temperature: temperatureField(
    0.07,
    'Temperature τ of the non-parametric softmax exp(v·f/τ) (paper: 0.07).',
  ),
  featureDim: embeddingDimField(
    128,
    'Size of the L2-normalised feature kept per image in the memory bank (paper: 128).',
  ),
  noiseSamples: noiseSamplesField(
    'NCE noise samples m drawn from the bank per image (paper: 4096; scaled down for CPU, and capped at the number of training images).',
  ),
  bankMomentum: momentumField(
    0.5,
    'Memory-bank update v ← normalize(m·v + (1−m)·f): the share of the old row kept (paper: 0.5).',
  ),
  proximalLambda: z
    .number()
    .min(0)
    .max(1000)
    .default(30)
    .describe(
      'Proximal regularisation λ‖v − bank_i‖² (paper Sec. 3.3, Eq. 10); 0 switches it off, as the released code does.',
    )
    .meta({ group: 'method' }),
};

type InstDiscConfig = SharedConfig & z.infer<z.ZodObject<typeof fields>>;

/**
 * InstDisc as a running instance: encoder f, a linear map to `featureDim`, the memory bank, the noise sampler and
 * the normalising constant Z (null until the first step estimates it).
 */
export class InstDiscInstance implements MethodInstance {
  readonly encoder: Backbone;
  readonly head: Module;
  readonly bank: MemoryBank;
  /** Noise samples actually drawn per image: the configured m capped at the dataset size. */
  readonly noiseSamples: number;
  private z: number | null = null;
  private pendingRows: tf.Tensor2D | null = null;
  private readonly rng: Rng;

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
  }

  /** The fixed NCE normalising constant Z (Eq. 6), or null before the first step. */
  get normalizer(): number | null {
    return this.z;
  }

  trainableParameters(): NamedParameter[] {
    return [...this.encoder.namedParameters('encoder.'), ...this.head.namedParameters('head.')];
  }

  step(batch: TrainBatch): StepResult {
    const [x] = batch.views as [tf.Tensor4D];
    const n = x.shape[0];
    const v = this.head.forward(this.encoder.forward(x, true), true) as tf.Tensor2D;
    const noise = sampleNoiseIndices(this.rng, n, this.noiseSamples, this.bank.size);
    // Eq. 6: Z is estimated once by Monte Carlo from the first batch and then treated as a constant.
    if (this.z === null) this.z = estimateNceNormalizer(v, this.bank.rows, noise, this.config.temperature);
    const { loss, updatedBankRows } = instDiscNceLoss(
      v,
      this.bank.rows,
      tf.tensor1d(batch.indices, 'int32'),
      noise,
      {
        temperature: this.config.temperature,
        z: this.z,
        proximalLambda: this.config.proximalLambda,
        bankMomentum: this.config.bankMomentum,
      },
    );
    // The new bank rows come from this forward pass (Sec. 3.2); they are written after the optimiser step.
    this.pendingRows?.dispose();
    this.pendingRows = tf.keep(updatedBankRows);
    return { loss };
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
 * 128-d feature per image, approximated by NCE with m uniform noise samples and a normalising constant Z
 * estimated once (Eq. 4–7); the bank rows are refreshed with momentum 0.5 (Sec. 3.2) and a proximal term keeps
 * each feature near its bank entry (Sec. 3.3). One augmented view per image.
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
  // The released CIFAR recipe: SGD lr 0.03, weight decay 5e-4, no warm-up; RandomResizedCrop(0.2, 1),
  // ColorJitter(0.4, 0.4, 0.4, 0.4) always applied (s = 0.5 gives 0.4 for the first three), grayscale 0.2.
  sharedDefaults: { lr: 0.03, weightDecay: 5e-4, warmupEpochs: 0, cropMinScale: 0.2, jitterProb: 1 },
  viewPlan: (config, imageSize) => ({ global: [augmentationFromConfig(config, imageSize)], local: [] }),
  create: (config, env) => new InstDiscInstance(config, env),
};
