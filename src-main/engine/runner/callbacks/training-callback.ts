import type { Dataset } from '../../data/dataset';
import type { RunConfig } from '../../methods';
import type { MethodInstance } from '../../methods/method';
import type { RunPhase, ViewPlan } from '../../../domain';
import type { TrainingToSave } from '../checkpoint';
import type { TrainReporter } from '../reporter';
import type { SplitFeatures } from '../split-features';

export type TrainOutcome = 'completed' | 'stopped';

/** The run a callback is called for; fixed from the first hook to the last. */
export interface TrainingRun {
  readonly runId: number;
  /** The method's id. */
  readonly method: string;
  readonly config: RunConfig;
  readonly instance: MethodInstance;
  readonly dataset: Dataset;
  readonly plan: ViewPlan;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /**
   * For a resumed run, the step of the checkpoint it resumed from: it has been trained, evaluated and
   * reported (and saved) already. Undefined for a new run.
   */
  readonly resumedAt: number | undefined;
  /** Folder for the run's checkpoints; none are saved without it. */
  readonly checkpointDir: string | undefined;
  /** What a checkpoint saves besides the model so that the run can resume from it (runner/checkpoint.ts). */
  readonly training: TrainingToSave;
  readonly reporter: TrainReporter;
}

export interface EpochStart {
  /** 0-based index of the epoch about to be trained. */
  epoch: number;
}

/** One optimisation step, done. */
export interface StepEnd {
  /** Steps done, this one included: the step of its metric points. */
  step: number;
  /** Epochs done, as a fraction: epoch index + (batch + 1) / stepsPerEpoch. */
  epoch: number;
  /** 0-based index of the batch in its epoch. */
  batch: number;
  /** Images in the batch (each seen in every view of the plan). */
  images: number;
  loss: number;
  lr: number;
  /** The method's extra logged scalars. */
  logs: Readonly<Record<string, number>>;
  /** Reports a metric point at this step and records it in `metrics`. */
  log(key: string, value: number): void;
  /** The metrics logged at this step so far, by the callbacks before this one. */
  metrics: ReadonlyMap<string, number>;
}

/**
 * The model after `epoch` whole epochs, at `step`. Epoch 0 is the initialisation, before the first
 * step: every run is evaluated (and checkpointed) there too, as the baseline of its curves.
 */
export interface EpochEnd {
  step: number;
  epoch: number;
  /** Both splits' features at this state, extracted once for every callback that reads them. */
  features: SplitFeatures;
}

export interface RunEnd {
  outcome: TrainOutcome;
  /** The step reached, and the epoch position it is (the number of epochs for a completed run). */
  step: number;
  epoch: number;
}

/**
 * A part of training that is not the optimisation itself (monitoring, diagnostics, checkpoints,
 * evaluation, reporting), hooked into the training loop in the style of PyTorch Lightning's and
 * solo-learn's callbacks. The loop (runner/train.ts) calls every callback's hooks in the order the
 * callbacks are listed, and awaits each:
 *
 *   onStart → onEpochEnd (epoch 0) → [onEpochStart → onStepEnd … → onEpochEnd]·epochs → onEnd → onTeardown
 *
 * A stop request ends the epoch early without its onEpochEnd; an error skips onEnd; onTeardown always
 * comes last. A resumed run (TrainingRun.resumedAt) has no onEpochEnd for epoch 0 nor for the checkpoint's
 * epoch, whose evaluation already ran: after onStart come the epochs still to train, the first of them
 * from the checkpoint's batch on (its onEpochStart included), and steps after the checkpoint's only.
 * Everything a hook needs is in its arguments.
 */
export interface TrainingCallback {
  /** The run is set up, nothing is evaluated or trained yet. */
  onStart?(run: TrainingRun): void | Promise<void>;
  onEpochStart?(run: TrainingRun, start: EpochStart): void | Promise<void>;
  onStepEnd?(run: TrainingRun, end: StepEnd): void | Promise<void>;
  onEpochEnd?(run: TrainingRun, end: EpochEnd): void | Promise<void>;
  /** Training is over: completed, or stopped on request. */
  onEnd?(run: TrainingRun, end: RunEnd): void | Promise<void>;
  /** Release what the callback holds; called after onEnd, or after an error. */
  onTeardown?(run: TrainingRun): void;
}

/**
 * Told when a callback starts a phase of the run that takes a while (the final probe, saving a
 * checkpoint), so that the progress report can name it (callbacks/progress.ts).
 */
export type PhaseListener = (run: TrainingRun, phase: RunPhase) => void;
