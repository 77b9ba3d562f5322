import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { Backbone } from '../nn/backbones';
import type { Module } from '../nn/module';
import type { NamedParameter } from '../nn/optimizers';
import type { ParameterGroup } from '../nn/parameter-groups';
import type { LrSchedule } from '../nn/schedule';
import type { TrainingState } from '../nn/training-state';
import type { MethodFamily, MetricSpec, PaperInfo, ViewPlan } from '../../domain';
import type { Rng } from '../util/rng';
import type { SharedConfig, SharedDefaults } from './config';

export interface TrainBatch {
  /** Normalised augmented views, NHWC, in ViewPlan order. */
  views: tf.Tensor4D[];
  /** Indices of the images in the training split (memory banks need them). */
  indices: Int32Array;
  /** Labels where the dataset has them (supervised methods only). */
  labels: Int32Array | null;
}

export interface StepContext {
  step: number;
  totalSteps: number;
  epoch: number;
  stepsPerEpoch: number;
}

export interface StepResult {
  loss: tf.Scalar;
  /** Extra scalars to log as metrics under their key (declared in MethodDefinition.metrics). */
  logs?: Record<string, tf.Scalar>;
}

/**
 * A target network that follows an online one of the same architecture as an exponential moving
 * average, θ_target ← m·θ_target + (1 − m)·θ_online (nn/momentum.ts), with the schedule of m: MoCo's
 * key encoder (He et al. 2020, Eq. 2), BYOL's target (Grill et al. 2020, Sec. 3.1), DINO's teacher.
 */
export interface MomentumPair {
  readonly online: Module;
  readonly target: Module;
  /** The coefficient m of the update after the step `ctx` (constant, or a schedule over training). */
  momentum(ctx: StepContext): number;
}

/**
 * Where a method's optimisation departs from one optimiser with one cosine schedule and one weight
 * decay for every parameter (runner/step.ts applies these; the loop takes the schedule). Each is
 * derived from the step, so a checkpoint needs nothing more to resume it.
 */
export interface OptimisationRules {
  /** Learning-rate rules by parameter-name prefix (SimSiam's fixed predictor rate); others: the schedule. */
  parameterGroups?: readonly ParameterGroup[];
  /** The learning-rate schedule after the warm-up; cosine when absent. */
  lrSchedule?: LrSchedule;
  /** The weight decay of a step where the method schedules it (DINO); the config's constant when absent. */
  weightDecay?(ctx: StepContext): number;
  /** Clip each parameter's gradient to this L2 norm before the update (DINO); 0 or absent: no clipping. */
  clipGradientNorm?: number;
}

/** A method instantiated for one run: its modules and its training step. */
export interface MethodInstance {
  /** The network whose features are evaluated (kNN, linear probe). */
  readonly encoder: Backbone;
  /**
   * The head (projector) applied to the encoder's features whose output the loss compares, e.g. SimCLR's g(·):
   * where the diagnostics take SimSiam's std (eval/diagnostics.ts projectorOf). Optional: a method whose
   * backbone + head Tower over the encoder is a field needs none; one without a single projector (CMC's
   * two half-width networks) has none, and the std is taken on the encoder's features.
   */
  readonly projector?: Module;
  /** Everything the optimiser updates, with names (for weight-decay exclusion). */
  trainableParameters(): NamedParameter[];
  /** Its departures from the plain optimisation of its trainable parameters, if any. */
  readonly optimisation?: OptimisationRules;
  /** The loss of one batch; runs inside the gradient scope, so everything here is differentiated. */
  step(batch: TrainBatch, ctx: StepContext): StepResult;
  /**
   * Its momentum networks: the training step (runner/step.ts) updates every pair after the optimiser
   * step, before afterStep.
   */
  readonly momentumPairs?: readonly MomentumPair[];
  /** Other state updates after the optimiser step and the momentum pairs: queues, memory banks, centres. */
  afterStep?(batch: TrainBatch, ctx: StepContext): void;
  /**
   * The modules a checkpoint saves (parameters and buffers), by name. Optional: by default
   * (runner/checkpoint.ts) they are `encoder` and every other field of the instance holding a Module.
   */
  checkpointModules?(): Record<string, Module>;
  /**
   * What the method keeps between steps besides the modules the checkpoint saves as the model: queues,
   * memory banks, centres, normalising constants, the positions of its own random generators, modules no
   * field exposes. A resumed run restores it (restoreTrainingState), so the next step is the one an
   * uninterrupted run would have taken. Optional: a method without such state has none to save. State
   * a method derives from the step (schedules, freezing) is not saved: the loop's step restores it.
   */
  trainingState?(): TrainingState;
  restoreTrainingState?(state: TrainingState): void;
  dispose(): void;
}

export interface MethodEnvironment {
  rng: Rng;
  imageSize: number;
  channels: number;
  trainSize: number;
  /** Per-channel mean and std the views were normalised with (CMC converts back to RGB for Lab). */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface MethodDefinition<S extends z.ZodRawShape = z.ZodRawShape> {
  id: string;
  title: string;
  family: MethodFamily;
  /** The idea in one line, for the method card. */
  idea: string;
  paper: PaperInfo;
  /** Fields of this method alone; the shared fields come from config.ts. */
  fields: S;
  /** Paper defaults of shared fields that differ from the generic ones. */
  sharedDefaults?: Partial<SharedDefaults>;
  /** True when the method trains on labels (SupCon); the form and CLI require a labelled dataset. */
  needsLabels?: boolean;
  /** True when the method needs colour images (CMC's L and ab views); greyscale datasets are refused. */
  needsColour?: boolean;
  /**
   * What the keys its step logs (StepResult.logs) mean, beyond the core keys of domain/metrics.ts: labels,
   * format, direction, smoothing. Every key the step may log is declared here.
   */
  metrics?: Record<string, MetricSpec>;
  viewPlan(config: SharedConfig & z.infer<z.ZodObject<S>>, imageSize: number): ViewPlan;
  create(config: SharedConfig & z.infer<z.ZodObject<S>>, env: MethodEnvironment): MethodInstance;
}
