import type { RunPhase } from '../../../domain';
import { evalTrainSplit } from '../../data/dataset';
import type {
  EpochEnd,
  EpochStart,
  RunEnd,
  StepEnd,
  TrainingCallback,
  TrainingRun,
} from './training-callback';

/** What this process has measured of its run so far. */
export interface MeasuredPace {
  /** Seconds spent in training steps, and how many steps that was. */
  trainingSeconds: number;
  steps: number;
  /** Seconds spent at epoch ends (features, diagnostics, kNN, checkpoint), and how many ended. */
  evaluationSeconds: number;
  evaluations: number;
}

/** The work a run has left. */
export interface WorkLeft {
  steps: number;
  /** Epoch ends still to come, the one under way included. */
  evaluations: number;
  /** Whether the final linear probe is still to run. */
  probe: boolean;
  /** Seconds already spent on the evaluation or probe under way (0 while training). */
  spentOnCurrent: number;
}

/** What a fallback estimate of an evaluation needs: the images it embeds, and those a step trains on. */
export interface EvaluationSize {
  /** Images an evaluation passes through the encoder (both splits). */
  images: number;
  /** Images a training step passes through the encoder and back (batch × views). */
  imagesPerStep: number;
}

/**
 * A training step passes each image forward and back, an evaluation forward only: the backward pass
 * costs about twice the forward (the usual 2N forward, 4N backward FLOPs per parameter and input: Kaplan
 * et al. 2020, "Scaling Laws for Neural Language Models", Sec. 2.1), so an image costs a third as much to
 * embed as to train on.
 */
const FORWARD_SHARE_OF_STEP = 1 / 3;

/**
 * Seconds one evaluation takes: the mean of those measured, or before any was (a resumed run) a third
 * of the training pace per image times the images it embeds. Null without either.
 */
export function secondsPerEvaluation(pace: MeasuredPace, size: EvaluationSize): number | null {
  if (pace.evaluations > 0) return pace.evaluationSeconds / pace.evaluations;
  if (pace.steps === 0 || size.imagesPerStep === 0) return null;
  const perImage = pace.trainingSeconds / pace.steps / size.imagesPerStep;
  return FORWARD_SHARE_OF_STEP * perImage * size.images;
}

/**
 * Seconds until the run ends: the steps left at the measured pace, one evaluation per epoch end left,
 * and the final linear probe, less what the piece under way has taken already. The probe trains a linear
 * classifier on the last evaluation's features (eval/linear-probe.ts), so it is estimated as one more
 * evaluation (on the tiny runs measured it took 1–1.5 evaluations; on a large network it takes less).
 * Null while the pace of what is left is unknown (no step measured yet, steps left).
 */
export function estimateSecondsLeft(pace: MeasuredPace, left: WorkLeft, size: EvaluationSize): number | null {
  const perStep = pace.steps > 0 ? pace.trainingSeconds / pace.steps : null;
  if (left.steps > 0 && perStep === null) return null;
  const perEvaluation = secondsPerEvaluation(pace, size);
  const evaluations = left.evaluations + (left.probe ? 1 : 0);
  if (evaluations > 0 && perEvaluation === null) return null;
  const total = (perStep ?? 0) * left.steps + (perEvaluation ?? 0) * evaluations;
  return Math.max(0, total - Math.min(left.spentOnCurrent, perEvaluation ?? 0));
}

/** Whether the final linear probe can judge the run (the same test as callbacks/linear-probe.ts). */
export function probeCanRun(dataset: TrainingRun['dataset']): boolean {
  return !!evalTrainSplit(dataset).labels && !!dataset.test.labels && dataset.test.count > 0;
}

/**
 * Reports the run's progress after every step and whenever its phase changes (the callback that starts
 * a phase calls `enter`): steps and epochs done, the loss, the throughput where the step measured one
 * (the `images_per_s` a callback before this one logged), the phase, and the time left. The time left
 * counts training and evaluations apart, at their paces measured in this process (a resumed run's pace
 * counts the steps since it resumed): the steps left, the epoch ends left and the final probe.
 */
export class ProgressCallback implements TrainingCallback {
  private readonly pace: MeasuredPace = {
    trainingSeconds: 0,
    steps: 0,
    evaluationSeconds: 0,
    evaluations: 0,
  };
  private phase: RunPhase = 'training';
  /** When the phase under way (or, while training, the step under way) began. */
  private since = performance.now();
  /** When the epoch end under way began, while one is. */
  private evaluationSince: number | undefined;
  private step = 0;
  private epoch = 0;
  private loss: number | null = null;
  private probeDone = false;

  onStart(run: TrainingRun): void {
    this.step = run.resumedAt ?? 0;
    this.epoch = this.step / run.stepsPerEpoch;
    this.since = performance.now();
  }

  onEpochStart(_run: TrainingRun, _start: EpochStart): void {
    this.endEvaluation();
    this.phase = 'training';
    this.since = performance.now();
  }

  onStepEnd(run: TrainingRun, end: StepEnd): void {
    const now = performance.now();
    this.pace.trainingSeconds += (now - this.since) / 1000;
    this.pace.steps += 1;
    this.since = now;
    this.step = end.step;
    this.epoch = end.epoch;
    this.loss = end.loss;
    this.report(run, end.metrics.get('images_per_s') ?? null);
  }

  /** Called before the other evaluation callbacks, as it is listed before them (runner/train.ts). */
  onEpochEnd(run: TrainingRun, end: EpochEnd): void {
    const now = performance.now();
    if (this.phase === 'training' && end.epoch > 0) this.pace.trainingSeconds += (now - this.since) / 1000;
    this.step = end.step;
    this.epoch = end.epoch;
    this.evaluationSince = now;
    this.enter(run, end.epoch === 0 ? 'initial-evaluation' : 'evaluating');
  }

  onEnd(_run: TrainingRun, _end: RunEnd): void {
    this.endEvaluation();
  }

  /** The run has entered `phase` (a callback starting the probe or a checkpoint says so). */
  enter(run: TrainingRun, phase: RunPhase): void {
    if (phase === 'probing') this.endEvaluation();
    this.phase = phase;
    if (phase !== 'checkpoint' || this.evaluationSince === undefined) this.since = performance.now();
    this.report(run, null);
    if (phase === 'probing') this.probeDone = true;
  }

  private endEvaluation(): void {
    if (this.evaluationSince === undefined) return;
    this.pace.evaluationSeconds += (performance.now() - this.evaluationSince) / 1000;
    this.pace.evaluations += 1;
    this.evaluationSince = undefined;
  }

  private report(run: TrainingRun, imagesPerSecond: number | null): void {
    const { config, dataset, plan, stepsPerEpoch, totalSteps } = run;
    // Epoch ends still to come, the one under way included: while training step s, the end of epoch
    // ⌈s / stepsPerEpoch⌉ has not begun; at the end of epoch e, step = e · stepsPerEpoch (0 for the
    // initialisation, the end of epoch 0).
    const evaluationsLeft =
      this.phase === 'probing' ? 0 : config.epochs - Math.ceil(this.step / stepsPerEpoch) + 1;
    const now = performance.now();
    const etaSeconds = estimateSecondsLeft(
      this.pace,
      {
        steps: totalSteps - this.step,
        evaluations: Math.max(0, evaluationsLeft),
        probe: !!config.linearProbe && !this.probeDone && probeCanRun(dataset),
        spentOnCurrent: this.phase === 'training' ? 0 : (now - (this.evaluationSince ?? this.since)) / 1000,
      },
      {
        images: evalTrainSplit(dataset).count + dataset.test.count,
        imagesPerStep:
          Math.min(config.batchSize, dataset.train.count) * (plan.global.length + plan.local.length),
      },
    );
    run.reporter.progress({
      runId: run.runId,
      step: this.step,
      totalSteps,
      epoch: this.epoch,
      epochs: config.epochs,
      loss: this.loss,
      imagesPerSecond,
      etaSeconds,
      phase: this.phase,
    });
  }
}
