import type { EpochStart, StepEnd, TrainingCallback, TrainingRun } from './training-callback';

/**
 * Reports the run's progress after every step: steps and epochs done, the loss, the throughput where
 * the step measured one (the `images_per_s` a callback before this one logged), and the time left at
 * the average pace since training started (evaluations included, as they will recur) — in this
 * process: a resumed run's pace counts the steps since it resumed.
 */
export class ProgressCallback implements TrainingCallback {
  private started: number | undefined;

  onEpochStart(_run: TrainingRun, _start: EpochStart): void {
    this.started ??= Date.now();
  }

  onStepEnd(run: TrainingRun, end: StepEnd): void {
    const stepsHere = end.step - (run.resumedAt ?? 0);
    const secondsPerStep = (Date.now() - (this.started ?? Date.now())) / 1000 / stepsHere;
    run.reporter.progress({
      runId: run.runId,
      step: end.step,
      totalSteps: run.totalSteps,
      epoch: end.epoch,
      epochs: run.config.epochs,
      loss: end.loss,
      imagesPerSecond: end.metrics.get('images_per_s') ?? null,
      etaSeconds: secondsPerStep * (run.totalSteps - end.step),
    });
  }
}
