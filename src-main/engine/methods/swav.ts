import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { l2Normalize, stopGradient } from '../losses/common';
import { swavLoss, type SwavOptions } from '../losses/swav';
import { swavLossWithQueue } from '../losses/swav_queue';
import { createBackbone, type Backbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import { Prototypes } from '../nn/heads/prototypes';
import type { Module } from '../nn/module';
import type { NamedParameter } from '../nn/optimizers';
import {
  expectOnly,
  makeTrainingState,
  savedTensor,
  stateGroup,
  type Stateful,
  type TrainingState,
} from '../nn/training-state';
import type { AugmentConfig } from '../../domain';
import type { SharedConfig } from './config';
import { KeyQueue } from '../nn/queue';
import type {
  MethodDefinition,
  MethodEnvironment,
  MethodInstance,
  StepContext,
  StepResult,
  TrainBatch,
} from './method';
import type { ViewPlan } from '../../domain';
import { augmentationFromConfig, localCropSide } from './views';
import {
  epochsField,
  hiddenDimField,
  localCropScaleField,
  localCropSizeField,
  localCropsField,
  projectionDimField,
  temperatureField,
} from './fields';

const fields = {
  temperature: temperatureField(0.1, 'Temperature τ of the softmax over prototype scores (paper: 0.1).'),
  epsilon: z
    .number()
    .positive()
    .max(10)
    .default(0.05)
    .describe('Entropic regularisation ε of the Sinkhorn-Knopp codes (paper: 0.05).')
    .meta({ group: 'method' }),
  sinkhornIterations: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Sinkhorn-Knopp iterations per code computation (paper: 3).')
    .meta({ group: 'method', unit: 'iterations' }),
  numPrototypes: z
    .number()
    .int()
    .min(2)
    .max(10000)
    .default(100)
    .describe(
      'Number of prototypes K (paper: 3000 on ImageNet; scaled to about 10× the classes of CIFAR-size data).',
    )
    .meta({ group: 'method', unit: 'prototypes' }),
  projectionDim: projectionDimField(
    128,
    'Output size of the projection head, the space of the prototypes (paper: 128).',
  ),
  projectionHiddenDim: hiddenDimField(512, 'Hidden width of the 2-layer projection head (paper: 2048).'),
  localCrops: localCropsField(
    4,
    'Small local crops per image besides the 2 global crops (multi-crop; paper: 6).',
  ),
  localCropSize: localCropSizeField(
    'Side of the local crops; 0 = 96/224 of the image side (paper: 96 px for 224-px global crops; 14 at 32 px).',
  ),
  localCropMinScale: localCropScaleField(0.05, 'Smallest area fraction of a local crop (paper: 0.05).'),
  localCropMaxScale: localCropScaleField(0.14, 'Largest area fraction of a local crop (paper: 0.14).'),
  freezePrototypesSteps: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(313)
    .describe('Steps at the start during which the prototypes get no update (paper: 313, its first epoch).')
    .meta({ group: 'method', unit: 'steps' }),
  queueLength: z
    .number()
    .int()
    .min(0)
    .max(65536)
    .default(0)
    .describe(
      'Queue of past embeddings added to the Sinkhorn batch, 0 = off (paper: 3840 for small batches).',
    )
    .meta({ group: 'method', unit: 'embeddings' }),
  queueStartEpoch: epochsField(15, 'Epoch from which the queue is filled; it is used once full (paper: 15).'),
};

type SwavConfig = SharedConfig & z.infer<z.ZodObject<typeof fields>>;

/** SwAV as a running instance; exported so tests can look at the prototypes. */
export class SwavInstance implements MethodInstance {
  readonly encoder: Backbone;
  readonly head: Module;
  /** The head, where the diagnostics take SimSiam's std (a getter: not a checkpoint module of its own). */
  get projector(): Module {
    return this.head;
  }
  readonly prototypes: Prototypes;
  /** One queue per assignment crop (views 0 and 1), when queueLength > 0. */
  readonly queues: KeyQueue[];
  /** The prototypes as they were when freezing began; restored after every frozen step. */
  private frozenCopy: tf.Tensor2D | null;
  private pendingEmbeddings: tf.Tensor2D[] = [];
  /**
   * Between steps: the queues, and the frozen prototypes' copy while freezing lasts. Freezing itself and
   * the queue's start follow the step and epoch.
   */
  private readonly state: Stateful;

  constructor(
    private readonly config: SwavConfig,
    env: MethodEnvironment,
  ) {
    this.encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    this.head = mlpHead(this.encoder.outputDim, config.projectionHiddenDim, config.projectionDim, 2, env.rng);
    this.prototypes = new Prototypes(config.numPrototypes, config.projectionDim, env.rng);
    this.queues =
      config.queueLength > 0
        ? [0, 1].map(() => new KeyQueue(config.queueLength, config.projectionDim, env.rng))
        : [];
    this.frozenCopy =
      config.freezePrototypesSteps > 0 ? tf.clone(this.prototypes.weight as tf.Tensor2D) : null;
    const frozen: Stateful = {
      trainingState: () => makeTrainingState(this.frozenCopy ? [['prototypes', this.frozenCopy]] : []),
      restoreTrainingState: (state) => {
        expectOnly(state, ['prototypes'], []);
        const copy = state.tensors.has('prototypes')
          ? (tf.clone(savedTensor(state, 'prototypes', this.prototypes.weight.shape)) as tf.Tensor2D)
          : null;
        this.frozenCopy?.dispose();
        this.frozenCopy = copy;
      },
    };
    this.state = stateGroup({
      frozen,
      ...Object.fromEntries(this.queues.map((q, i) => [`queue_${i}`, q])),
    });
  }

  trainingState(): TrainingState {
    return this.state.trainingState();
  }

  restoreTrainingState(state: TrainingState): void {
    this.state.restoreTrainingState(state);
  }

  trainableParameters(): NamedParameter[] {
    return [
      ...this.encoder.namedParameters('encoder.'),
      ...this.head.namedParameters('head.'),
      ...this.prototypes.namedParameters('prototypes.'),
    ];
  }

  private frozen(step: number): boolean {
    return step < this.config.freezePrototypesSteps;
  }

  step(batch: TrainBatch, ctx: StepContext): StepResult {
    const globals = batch.views.slice(0, 2);
    const locals = batch.views.slice(2);
    const n = globals[0]!.shape[0];
    // Crops of one resolution go through the encoder together (as the released code groups them); the head
    // then sees every crop at once.
    const features = [this.encoder.forward(tf.concat(globals, 0), true)];
    if (locals.length > 0) features.push(this.encoder.forward(tf.concat(locals, 0), true));
    const embeddings = this.head.forward(tf.concat(features, 0), true) as tf.Tensor2D;
    const numViews = batch.views.length;
    const views = tf.reshape(embeddings, [numViews, n, this.config.projectionDim]) as tf.Tensor3D;
    // Frozen prototypes (Sec. 4 / released code: no update during the first iterations) still score the
    // features, but pass no gradient to themselves.
    const weight = this.prototypes.weight as tf.Tensor2D;
    const prototypes = this.frozen(ctx.step) ? stopGradient(weight) : weight;
    const options: SwavOptions = {
      temperature: this.config.temperature,
      epsilon: this.config.epsilon,
      sinkhornIterations: this.config.sinkhornIterations,
    };
    if (this.queues.length === 0 || ctx.epoch < this.config.queueStartEpoch) {
      return { loss: swavLoss(views, prototypes, options) };
    }
    // The queue stores the normalised embeddings of the two assignment crops, newest batch last.
    tf.dispose(this.pendingEmbeddings);
    this.pendingEmbeddings = [0, 1].map((s) =>
      tf.keep(l2Normalize(stopGradient(tf.slice(embeddings, [s * n, 0], [n, this.config.projectionDim])))),
    );
    // As the released code, a queue joins the codes only once it holds real embeddings in every row.
    const queueRows = this.queues.map((q) => (q.filled >= q.capacity ? q.keys : null));
    return { loss: swavLossWithQueue(views, prototypes, queueRows, options) };
  }

  afterStep(batch: TrainBatch, ctx: StepContext): void {
    if (this.frozenCopy && this.frozen(ctx.step)) {
      // Undo whatever weight decay and momentum did to the frozen (unit-norm) prototypes; drop the copy once thawed.
      this.prototypes.weight.assign(this.frozenCopy);
      if (!this.frozen(ctx.step + 1)) {
        this.frozenCopy.dispose();
        this.frozenCopy = null;
      }
    } else {
      // The prototypes are kept on the unit sphere (Sec. 3.1; the released code normalises them every iteration).
      tf.tidy(() => this.prototypes.weight.assign(l2Normalize(this.prototypes.weight)));
    }
    this.pendingEmbeddings.forEach((e, i) => this.queues[i]!.enqueue(e));
    tf.dispose(this.pendingEmbeddings);
    this.pendingEmbeddings = [];
  }

  dispose(): void {
    tf.dispose(this.pendingEmbeddings);
    this.pendingEmbeddings = [];
    this.frozenCopy?.dispose();
    this.frozenCopy = null;
    this.encoder.dispose();
    this.head.dispose();
    this.prototypes.dispose();
    this.queues.forEach((q) => q.dispose());
  }
}

/** The 2 global crops and the small local crops of SwAV's multi-crop (Caron et al. 2020, Sec. 3.2). */
function multiCropPlan(config: SwavConfig, imageSize: number): ViewPlan {
  if (config.localCropMinScale > config.localCropMaxScale) {
    throw new Error(
      `swav: localCropMinScale ${config.localCropMinScale} is above localCropMaxScale ${config.localCropMaxScale}`,
    );
  }
  const global = augmentationFromConfig(config, imageSize);
  const local: AugmentConfig = {
    ...augmentationFromConfig(config, imageSize, localCropSide(imageSize, config.localCropSize)),
    cropScale: [config.localCropMinScale, config.localCropMaxScale],
  };
  return { global: [global, global], local: Array.from({ length: config.localCrops }, () => local) };
}

/**
 * SwAV (Caron et al. 2020): online clustering. Embeddings of every crop are scored against K learnable unit-norm
 * prototypes; codes for the two global crops come from Sinkhorn-Knopp with equal cluster sizes (ε = 0.05, 3
 * iterations, Eq. 3), and each crop predicts the code of another (swapped prediction, Eq. 1–2; losses/swav,
 * losses/swav_queue with the queue).
 * Multi-crop adds small local crops that only predict. Prototypes are frozen for the first iterations and
 * re-normalised after every step; a queue of past embeddings can enlarge the Sinkhorn batch.
 */
export const swav: MethodDefinition<typeof fields> = {
  id: 'swav',
  title: 'SwAV',
  family: 'clustering',
  idea: 'Predict the cluster code of one crop from another, with equal-sized clusters from Sinkhorn-Knopp.',
  paper: {
    title: 'Unsupervised Learning of Visual Features by Contrasting Cluster Assignments',
    authors: 'Caron, Misra, Mairal, Goyal, Bojanowski, Joulin',
    year: 2020,
    url: 'https://arxiv.org/abs/2006.09882',
  },
  fields,
  // LARS at 4.8 for batch 4096 (0.3 per 256 images), weight decay 1e-6; global crops cover (0.14, 1) of the image.
  sharedDefaults: { optimizer: 'lars', lr: 0.3, weightDecay: 1e-6, cropMinScale: 0.14 },
  viewPlan: (config, imageSize) => multiCropPlan(config, imageSize),
  create: (config, env) => new SwavInstance(config, env),
};
