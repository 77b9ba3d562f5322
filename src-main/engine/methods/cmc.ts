import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { normalizeLab, rgbToLab } from '../data/lab';
import { cmcLoss } from '../losses/cmc';
import { infoNceQueueLoss } from '../losses/infonce_queue';
import { instDiscNceLoss } from '../losses/instdisc_nce';
import { Backbone, createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import {
  expectOnly,
  makeTrainingState,
  rngState,
  savedNumber,
  stateGroup,
  stateless,
  type Stateful,
  type TrainingState,
} from '../nn/training-state';
import type { Rng } from '../util/rng';
import { estimateNceNormalizer, MemoryBank, sampleNoiseIndices } from './memory-bank';
import type { MethodDefinition, MethodEnvironment, StepResult } from './method';
import { lossMetric } from '../../domain';
import { augmentationFromConfig } from './views';
import { embeddingDimField, momentumField, noiseSamplesField, temperatureField } from './fields';

const fields = {
  objective: z
    .enum(['in-batch', 'memory-bank'])
    .default('in-batch')
    .describe(
      "'in-batch': full softmax over the other images of the batch (losses/cmc); 'memory-bank': one bank per view, each view's embedding contrasted with the other view's bank (Sec. 3.2), by the loss bankLoss chooses; it learns far slower on short runs (measured under bankLoss).",
    )
    .meta({ group: 'method' }),
  bankLoss: z
    .enum(['softmax', 'nce'])
    .default('softmax')
    .describe(
      "Memory-bank objective only. 'softmax': cross-entropy of the image's own row of the other view's bank against noiseSamples rows drawn from it (the released code's --softmax, NCESoftmaxLoss; losses/infonce_queue). 'nce': the paper's NCE (Eq. 4), Z estimated once from the first batch, while the banks are still random. Neither learns like the in-batch objective at this scale, since each bank row starts random and is refreshed once per epoch. Measured (CIFAR-10 subset, ConvNet w16, batch 128, kNN top-1 at step 0 → after 3 epochs, seeds 0 and 1): softmax 28.0 → 29.0% and 25.9 → 28.5% (29.6% after 10 epochs; 30.0% with noiseSamples 4096); NCE 28.0 → 28.4% (30.1% at epoch 2) and 25.9 → 27.1%, at a fifth of the speed; in-batch 28.0 → 33.1% and 25.9 → 31.8%.",
    )
    .meta({ group: 'method' }),
  temperature: temperatureField(0.07, 'Temperature τ of the cross-view scores (paper: 0.07).'),
  featureDim: embeddingDimField(128, 'Size of each view’s L2-normalised embedding (paper: 128).'),
  noiseSamples: noiseSamplesField(
    'Memory-bank objective only: bank rows drawn as negatives per image, the NCE noise samples or the softmax negatives (paper: 16384; scaled down for CPU, capped at the dataset size).',
  ),
  bankMomentum: momentumField(
    0.5,
    'Memory-bank objective only: share of the old bank row kept at each update (paper: 0.5).',
  ),
};

/** Per-channel statistics the run's images were normalised with; the Lab conversion needs raw RGB back. */
interface ColourStats {
  mean: readonly number[];
  std: readonly number[];
}

/** The run's normalisation statistics, from the environment. */
function colourStats(env: MethodEnvironment): ColourStats {
  return { mean: env.mean, std: env.std };
}

/**
 * CMC's evaluated network (Tian et al. 2019, Sec. 4.1): takes normalised RGB like every Backbone, undoes the
 * dataset normalisation, converts to Lab, splits it into the L channel and the ab channels, encodes each with its
 * own half-width encoder, and concatenates the two feature vectors (the paper evaluates the concatenation).
 */
export class LabSplitBackbone extends Backbone {
  readonly outputDim: number;
  private readonly lEncoder: Backbone;
  private readonly abEncoder: Backbone;

  constructor(
    lEncoder: Backbone,
    abEncoder: Backbone,
    private readonly stats: ColourStats,
  ) {
    super();
    this.lEncoder = this.addModule('l', lEncoder);
    this.abEncoder = this.addModule('ab', abEncoder);
    this.outputDim = lEncoder.outputDim + abEncoder.outputDim;
  }

  /** Normalised RGB [N,H,W,3] → the two views: normalised L [N,H,W,1] and ab [N,H,W,2] (no gradient needed). */
  split(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    return tf.tidy(() => {
      const rgb = tf.add(tf.mul(x, tf.tensor1d([...this.stats.std])), tf.tensor1d([...this.stats.mean]));
      const lab = normalizeLab(rgbToLab(rgb as tf.Tensor4D));
      const [n, h, w] = x.shape;
      return [tf.slice(lab, [0, 0, 0, 0], [n, h, w, 1]), tf.slice(lab, [0, 0, 0, 1], [n, h, w, 2])];
    });
  }

  /** Features of both views, [N, D_L] and [N, D_ab]. */
  encodeViews(x: tf.Tensor4D, training: boolean): [tf.Tensor2D, tf.Tensor2D] {
    const [l, ab] = this.split(x);
    return [
      this.lEncoder.forward(l, training) as tf.Tensor2D,
      this.abEncoder.forward(ab, training) as tf.Tensor2D,
    ];
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.concat(this.encodeViews(x as tf.Tensor4D, training), 1);
  }
}

/**
 * Contrastive Multiview Coding (Tian et al. 2019) with the L and ab views of Lab colour space: each view has its
 * own encoder (the paper splits the network into two halves of half the width) and a linear map to 128-d;
 * matching L and ab of the same image are contrasted against other images in both directions, L(V1, V2) +
 * L(V2, V1) (Eq. 3). By default with in-batch negatives and a full softmax (losses/cmc); optionally with the
 * paper's memory banks (Sec. 3.2), contrasted by a softmax over sampled bank rows (the released code's
 * --softmax) or by the paper's NCE (the InstDisc machinery with Z estimated once per direction).
 */
export const cmc: MethodDefinition<typeof fields> = {
  id: 'cmc',
  title: 'CMC',
  family: 'memory-bank',
  idea: 'Split each image into its L and ab channels and contrast the two views across images.',
  needsColour: true,
  paper: {
    title: 'Contrastive Multiview Coding',
    authors: 'Tian, Krishnan, Isola',
    year: 2019,
    url: 'https://arxiv.org/abs/1906.05849',
  },
  fields,
  // The memory-bank objective's two terms, one per direction (Sec. 3.2, Eq. 3); the loss is their sum.
  metrics: {
    loss_l: lossMetric({ en: 'Bank loss, L against the ab bank', zh: '记忆库损失（L 对 ab 记忆库）' }),
    loss_ab: lossMetric({ en: 'Bank loss, ab against the L bank', zh: '记忆库损失（ab 对 L 记忆库）' }),
  },
  // Released recipe: SGD lr 0.03, weight decay 1e-4, no warm-up; RandomResizedCrop(0.2, 1) and a flip only — no
  // colour jitter or grayscale, which would disturb the L/ab split.
  sharedDefaults: {
    lr: 0.03,
    weightDecay: 1e-4,
    warmupEpochs: 0,
    cropMinScale: 0.2,
    jitterProb: 0,
    grayscaleProb: 0,
  },
  viewPlan: (config, imageSize) => ({ global: [augmentationFromConfig(config, imageSize)], local: [] }),
  create(config, env) {
    if (env.channels !== 3) {
      throw new Error(
        `cmc splits RGB images into L and ab views; this dataset has ${env.channels} channel(s)`,
      );
    }
    const half = Math.max(4, Math.round(config.width / 2));
    const lEncoder = createBackbone(config.backbone, half, env.rng, 1, env.imageSize);
    const abEncoder = createBackbone(config.backbone, half, env.rng, 2, env.imageSize);
    const encoder = new LabSplitBackbone(lEncoder, abEncoder, colourStats(env));
    const headL = mlpHead(lEncoder.outputDim, config.featureDim, config.featureDim, 1, env.rng);
    const headAb = mlpHead(abEncoder.outputDim, config.featureDim, config.featureDim, 1, env.rng);
    const banks = config.objective === 'memory-bank' ? new CmcBanks(config, env) : null;
    let pending: [tf.Tensor2D, tf.Tensor2D] | null = null;
    const clearPending = () => {
      if (pending) tf.dispose(pending);
      pending = null;
    };
    return {
      encoder,
      trainableParameters: () => [
        ...encoder.namedParameters('encoder.'),
        ...headL.namedParameters('head_l.'),
        ...headAb.namedParameters('head_ab.'),
      ],
      // Between steps, with the memory-bank objective: its banks, constants and noise stream; else nothing.
      trainingState: () => (banks ?? stateless).trainingState(),
      restoreTrainingState: (saved) => (banks ?? stateless).restoreTrainingState(saved),
      step(batch) {
        const [x] = batch.views as [tf.Tensor4D];
        const [hL, hAb] = encoder.encodeViews(x, true);
        const zL = headL.forward(hL, true) as tf.Tensor2D;
        const zAb = headAb.forward(hAb, true) as tf.Tensor2D;
        if (!banks) return { loss: cmcLoss(zL, zAb, config.temperature) };
        clearPending();
        pending = [tf.keep(zL), tf.keep(zAb)];
        return banks.loss(zL, zAb, batch.indices);
      },
      afterStep(batch) {
        if (banks && pending) banks.update(batch.indices, pending[0], pending[1]);
        clearPending();
      },
      dispose() {
        clearPending();
        encoder.dispose();
        headL.dispose();
        headAb.dispose();
        banks?.dispose();
      },
    };
  },
};

/** The settings of CMC's memory-bank objective. */
export interface CmcBankConfig {
  temperature: number;
  featureDim: number;
  noiseSamples: number;
  bankMomentum: number;
  bankLoss: 'softmax' | 'nce';
}

/**
 * CMC's memory-bank objective (Tian et al. 2019, Sec. 3.2; released NCE/NCEAverage.py): one bank per view; the
 * L embedding is scored against the ab bank and vice versa, the positive being the image's own row of the other
 * view's bank; loss = L_L + L_ab (train_CMC.py adds the two criteria). Each bank is then refreshed with its own
 * view's embedding, bank ← normalize(m·bank + (1−m)·z), with the embeddings of this step, as the released
 * forward does (there before the backward pass, here after the optimiser step: the rows it writes are the same).
 *
 * The two losses of the released train_CMC.py:
 * - 'softmax' (--softmax, NCE/NCECriterion.py NCESoftmaxLoss): cross-entropy with the positive at index 0 over
 *   [own row, m drawn rows] / τ, which is losses/infonce_queue with k the own rows and the queue the drawn rows.
 *   The released code draws m rows per image; here one draw of m rows serves the whole batch, as MoCo's queue
 *   does (the same expectation; one [N, m] product instead of gathering N·m rows).
 * - 'nce' (NCECriterion): NCE over m noise indices per image, each direction with its own constant Z estimated
 *   once from the first batch as n · the mean of exp(s/τ) over the K + 1 scores, positive included.
 */
export class CmcBanks implements Stateful {
  private readonly bankL: MemoryBank;
  private readonly bankAb: MemoryBank;
  private readonly rng: Rng;
  private readonly m: number;
  private zL: number | null = null;
  private zAb: number | null = null;
  /** The banks, the noise stream's position and the two constants Z (null until the first NCE step). */
  private readonly state: Stateful;

  constructor(
    private readonly config: CmcBankConfig,
    env: Pick<MethodEnvironment, 'rng' | 'trainSize'>,
  ) {
    this.bankL = new MemoryBank(env.trainSize, config.featureDim, env.rng.fork());
    this.bankAb = new MemoryBank(env.trainSize, config.featureDim, env.rng.fork());
    this.rng = env.rng.fork();
    this.m = Math.min(config.noiseSamples, env.trainSize);
    const normalizers: Stateful = {
      trainingState: () =>
        makeTrainingState(
          [],
          [
            ['l', this.zL],
            ['ab', this.zAb],
          ],
        ),
      restoreTrainingState: (state) => {
        expectOnly(state, [], ['l', 'ab']);
        this.zL = savedNumber(state, 'l', true);
        this.zAb = savedNumber(state, 'ab', true);
      },
    };
    this.state = stateGroup({
      bank_l: this.bankL,
      bank_ab: this.bankAb,
      noise: rngState(this.rng),
      z: normalizers,
    });
  }

  trainingState(): TrainingState {
    return this.state.trainingState();
  }

  restoreTrainingState(state: TrainingState): void {
    this.state.restoreTrainingState(state);
  }

  /** The loss of the step whose embeddings are zL, zAb [N, D] of the training images `indices`. */
  loss(zL: tf.Tensor2D, zAb: tf.Tensor2D, indices: Int32Array): StepResult {
    const [l, ab] =
      this.config.bankLoss === 'softmax'
        ? this.softmaxLosses(zL, zAb, indices)
        : this.nceLosses(zL, zAb, indices);
    return { loss: tf.add(l, ab) as tf.Scalar, logs: { loss_l: l, loss_ab: ab } };
  }

  /** Each view against the other view's bank: its own row the positive, the same m drawn rows the negatives. */
  private softmaxLosses(zL: tf.Tensor2D, zAb: tf.Tensor2D, indices: Int32Array): [tf.Scalar, tf.Scalar] {
    const temperature = this.config.temperature;
    const drawn = tf.reshape(sampleNoiseIndices(this.rng, 1, this.m, this.bankL.size), [-1]);
    const own = tf.tensor1d(indices, 'int32');
    const against = (z: tf.Tensor2D, bank: MemoryBank) =>
      infoNceQueueLoss(
        z,
        tf.gather(bank.rows, own) as tf.Tensor2D,
        tf.gather(bank.rows, drawn) as tf.Tensor2D,
        temperature,
      );
    return [against(zL, this.bankAb), against(zAb, this.bankL)];
  }

  private nceLosses(zL: tf.Tensor2D, zAb: tf.Tensor2D, indices: Int32Array): [tf.Scalar, tf.Scalar] {
    const temperature = this.config.temperature;
    const noise = sampleNoiseIndices(this.rng, zL.shape[0], this.m, this.bankL.size);
    const index = tf.tensor1d(indices, 'int32');
    if (this.zL === null) this.zL = estimateNceNormalizer(zL, this.bankAb.rows, noise, temperature, index);
    if (this.zAb === null) this.zAb = estimateNceNormalizer(zAb, this.bankL.rows, noise, temperature, index);
    const options = { temperature, proximalLambda: 0, bankMomentum: this.config.bankMomentum };
    // The side outputs (rows of the *other* view's bank) do not apply here; the banks are updated in update().
    const l = instDiscNceLoss(zL, this.bankAb.rows, index, noise, { ...options, z: this.zL });
    const ab = instDiscNceLoss(zAb, this.bankL.rows, index, noise, { ...options, z: this.zAb });
    return [l.loss, ab.loss];
  }

  update(indices: Int32Array, zL: tf.Tensor2D, zAb: tf.Tensor2D): void {
    this.bankL.momentumUpdate(indices, zL, this.config.bankMomentum);
    this.bankAb.momentumUpdate(indices, zAb, this.config.bankMomentum);
  }

  dispose(): void {
    this.bankL.dispose();
    this.bankAb.dispose();
  }
}
