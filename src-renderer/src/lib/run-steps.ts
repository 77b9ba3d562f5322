/**
 * At which step a run's values were taken, for the runs that ended before their last step (stopped,
 * failed, interrupted): "31.2% · step 120/400". Pure.
 */
import type { MetricPoint, Run, RunStatus } from '../../../src-main/domain';

/** Statuses of a run that ended early: its values are from wherever it stopped. */
export const endedEarly: ReadonlySet<RunStatus> = new Set(['stopped', 'failed', 'interrupted']);

/**
 * The run's planned steps from a loss point (written every step at its epoch position, step ÷ steps
 * per epoch) and its epochs; null before the first step.
 */
export function plannedSteps(
  lastLoss: Pick<MetricPoint, 'step' | 'epoch'> | undefined,
  epochs: number,
): number | null {
  if (!lastLoss || lastLoss.step <= 0 || lastLoss.epoch <= 0 || !(epochs > 0)) return null;
  return Math.round((lastLoss.step / lastLoss.epoch) * epochs);
}

/** Where a run's value of `key` was taken, for a run that ended early; null otherwise or without one. */
export function stepOfValue(
  run: Pick<Run, 'status' | 'summarySteps'>,
  key: string,
  planned: number | null,
): { step: number; of: number | null } | null {
  if (!endedEarly.has(run.status)) return null;
  const step = run.summarySteps[key];
  return step === undefined ? null : { step, of: planned };
}
