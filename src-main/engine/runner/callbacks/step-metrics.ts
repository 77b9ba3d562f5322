import type { StepEnd, TrainingCallback, TrainingRun } from './training-callback';

/** Reports every step's loss, learning rate and the method's own logged scalars as metric points. */
export class StepMetricsCallback implements TrainingCallback {
  onStepEnd(_run: TrainingRun, end: StepEnd): void {
    end.log('loss', end.loss);
    end.log('lr', end.lr);
    for (const [key, value] of Object.entries(end.logs)) end.log(key, value);
  }
}
