import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { l2Normalize, stopGradient } from '../losses/common';
import { ntXentLoss } from '../losses/nt_xent';
import { ntXentLossWithQueue } from '../losses/nt_xent_queue';
import { Backbone, createBackbone } from '../nn/backbones';
import { ProjectionHead } from '../nn/heads/projection-head';
import { initTarget } from '../nn/momentum';
import type { NamedParameter } from '../nn/optimizers';
import { moduleState, stateGroup, stateless, type Stateful, type TrainingState } from '../nn/training-state';
import type { SharedConfig } from './config';
import { KeyQueue } from '../nn/queue';
import type {
  MethodDefinition,
  MethodEnvironment,
  MethodInstance,
  MomentumPair,
  StepResult,
  TrainBatch,
} from './method';
import { simclr } from './simclr';
import { twoViews } from './views';
import { layersField, momentumField, queueSizeField } from './fields';

const fields = {
  // Temperature and head sizes are SimCLR's own fields (same meaning, same scaled-down defaults); its
  // head ends as v2's released head does (a BN without affine parameters), so SimCLR's headOutput is not one.
  temperature: simclr.fields.temperature,
  projectionDim: simclr.fields.projectionDim,
  projectionHiddenDim: simclr.fields.projectionHiddenDim,
  projectionLayers: layersField(
    3,
    'Linear layers of the projection head, each with batch norm (SimCLR v2: 3; v1: 2).',
    2,
    4,
  ),
  fineTuneFromLayer: z
    .number()
    .int()
    .min(0)
    .max(3)
    .default(1)
    .describe(
      'Head layer whose output is the representation to fine-tune from: 0 = encoder, 1 = after the first head layer (paper: 1, the middle of the 3-layer head). The kNN monitor always reads the encoder.',
    )
    .meta({ group: 'method', unit: 'layer' }),
  momentumEncoder: z
    .boolean()
    .default(false)
    .describe(
      'Add MoCo’s memory: a momentum copy of encoder and head whose outputs queue up as extra negatives (paper: on, about +1%).',
    )
    .meta({ group: 'method' }),
  encoderMomentum: momentumField(
    0.999,
    'Momentum m of the memory network, θ_k ← m·θ_k + (1−m)·θ_q (MoCo: 0.999).',
  ),
  queueSize: queueSizeField(
    4096,
    'Negatives kept in the memory queue (paper, following MoCo: 65536; scaled down for CPU).',
    'embeddings',
  ),
};

type SimclrV2Config = SharedConfig & z.infer<z.ZodObject<typeof fields>>;

/**
 * The network v2 fine-tunes: the encoder followed by the first `layers` head layers. It shares (does not own)
 * the encoder and head, so disposing it does nothing.
 */
export class HeadPrefixBackbone extends Backbone {
  readonly outputDim: number;

  constructor(
    private readonly backbone: Backbone,
    private readonly head: ProjectionHead,
    private readonly layers: number,
  ) {
    super();
    this.addModule('encoder', backbone);
    this.addModule('head', head);
    this.outputDim = layers === 0 ? backbone.outputDim : head.dims[layers]!;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.head.forward(this.backbone.forward(x, training), training, this.layers);
  }

  override dispose(): void {
    // Shared modules are disposed by their owner.
  }
}

/** SimCLR v2 as a running instance. */
export class SimclrV2Instance implements MethodInstance {
  readonly encoder: Backbone;
  readonly head: ProjectionHead;
  /** Encoder plus the first `fineTuneFromLayer` head layers: the representation v2 fine-tunes (Sec. 2). */
  readonly fineTuneEncoder: Backbone;
  private readonly memory: {
    backbone: Backbone;
    head: ProjectionHead;
    queue: KeyQueue;
  } | null;
  /** With the memory: its encoder and head follow the online ones, θ_k ← m·θ_k + (1 − m)·θ_q (MoCo Eq. 2). */
  readonly momentumPairs: readonly MomentumPair[];
  private pendingKeys: tf.Tensor2D | null = null;
  /**
   * Between steps, with the memory: its network (in a plain object, which the checkpoint's model part does
   * not reach) and its queue.
   */
  private readonly state: Stateful;

  constructor(
    private readonly config: SimclrV2Config,
    env: MethodEnvironment,
  ) {
    if (config.fineTuneFromLayer > config.projectionLayers - 1) {
      throw new Error(
        `simclrv2: fineTuneFromLayer ${config.fineTuneFromLayer} must be below projectionLayers ${config.projectionLayers}`,
      );
    }
    this.encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    this.head = new ProjectionHead(
      this.encoder.outputDim,
      config.projectionHiddenDim,
      config.projectionDim,
      config.projectionLayers,
      env.rng,
    );
    this.fineTuneEncoder =
      config.fineTuneFromLayer === 0
        ? this.encoder
        : new HeadPrefixBackbone(this.encoder, this.head, config.fineTuneFromLayer);
    if (config.momentumEncoder) {
      const rng = env.rng.fork();
      const backbone = createBackbone(config.backbone, config.width, rng, env.channels, env.imageSize);
      const head = new ProjectionHead(
        backbone.outputDim,
        config.projectionHiddenDim,
        config.projectionDim,
        config.projectionLayers,
        rng,
      );
      // MoCo: the memory network starts as a copy; its queue starts as random unit vectors, used at once.
      const queue = new KeyQueue(config.queueSize, config.projectionDim, rng);
      this.memory = {
        backbone: initTarget(this.encoder, backbone),
        head: initTarget(this.head, head),
        queue,
      };
      const momentum = () => config.encoderMomentum;
      this.momentumPairs = [
        { online: this.encoder, target: this.memory.backbone, momentum },
        { online: this.head, target: this.memory.head, momentum },
      ];
    } else {
      this.memory = null;
      this.momentumPairs = [];
    }
    this.state = this.memory
      ? stateGroup({
          memory: stateGroup({
            backbone: moduleState(this.memory.backbone),
            head: moduleState(this.memory.head),
            queue: this.memory.queue,
          }),
        })
      : stateless;
  }

  /**
   * The whole head, whose output NT-Xent compares: the diagnostics' projector. A getter, so the checkpoint's
   * model part (the instance's own fields) names the head's variables `head.*` alone.
   */
  get projector(): ProjectionHead {
    return this.head;
  }

  trainingState(): TrainingState {
    return this.state.trainingState();
  }

  restoreTrainingState(state: TrainingState): void {
    this.state.restoreTrainingState(state);
  }

  trainableParameters(): NamedParameter[] {
    return [...this.encoder.namedParameters('encoder.'), ...this.head.namedParameters('head.')];
  }

  step(batch: TrainBatch): StepResult {
    const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
    const n = v1.shape[0];
    const x = tf.concat([v1, v2], 0);
    const zAll = this.head.forward(this.encoder.forward(x, true), true) as tf.Tensor2D;
    const [z1, z2] = tf.split(zAll, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
    if (!this.memory) return { loss: ntXentLoss(z1, z2, this.config.temperature) };
    // Keys of the momentum network (no gradient); they join the queue after this step, as in MoCo.
    const keys = stopGradient(
      l2Normalize(this.memory.head.forward(this.memory.backbone.forward(x, true), true) as tf.Tensor2D),
    );
    this.pendingKeys?.dispose();
    this.pendingKeys = tf.keep(keys);
    return { loss: ntXentLossWithQueue(z1, z2, this.memory.queue.keys, this.config.temperature) };
  }

  afterStep(): void {
    if (!this.memory) return;
    // As in MoCo, this step's keys join the queue after the momentum update.
    if (this.pendingKeys) {
      this.memory.queue.enqueue(this.pendingKeys);
      this.pendingKeys.dispose();
      this.pendingKeys = null;
    }
  }

  dispose(): void {
    this.pendingKeys?.dispose();
    this.pendingKeys = null;
    this.encoder.dispose();
    this.head.dispose();
    if (this.memory) {
      this.memory.backbone.dispose();
      this.memory.head.dispose();
      this.memory.queue.dispose();
    }
  }
}

/**
 * SimCLR v2 (Chen et al. 2020b): SimCLR with a deeper, 3-layer projection head whose first layer is kept for
 * fine-tuning ("fine-tune from the middle layer"), optionally MoCo's momentum memory for extra negatives, and
 * LARS. The loss is NT-Xent (losses/nt_xent), or NT-Xent with the queued negatives when the memory is on
 * (losses/nt_xent_queue).
 */
export const simclrv2: MethodDefinition<typeof fields> = {
  id: 'simclrv2',
  title: 'SimCLR v2',
  family: 'end-to-end',
  idea: 'SimCLR with a 3-layer projection head, fine-tuning from its middle layer, and optional MoCo memory.',
  paper: {
    title: 'Big Self-Supervised Models are Strong Semi-Supervised Learners',
    authors: 'Chen, Kornblith, Swersky, Norouzi, Hinton',
    year: 2020,
    url: 'https://arxiv.org/abs/2006.10029',
  },
  fields,
  // LARS at 6.4 for batch 4096 (0.4 per 256 images under our linear scaling; the paper scales by √batch),
  // weight decay 1e-4.
  sharedDefaults: { optimizer: 'lars', lr: 0.4, weightDecay: 1e-4 },
  viewPlan: (config, imageSize) => twoViews(config, imageSize),
  create: (config, env) => new SimclrV2Instance(config, env),
};
