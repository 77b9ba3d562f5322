/**
 * A run's evaluation card for one of its results (domain/evaluation-card.ts) with what the renderer has
 * loaded: the epoch of the value's point from the run's series, and the run's jobs (a fine-tune's,
 * distillation's or transfer's settings).
 */
import { evaluationCard, type EvaluationCard, type Job, type Run } from '../../../src-main/domain';
import { methodMetrics } from './metrics';
import type { Series } from './series';
import { runResult } from './summary';

/** The epoch of the point at `step`, the last one written there; undefined where the series lacks it. */
export function epochAtStep(series: Series | undefined, step: number | undefined): number | undefined {
  if (!series || step === undefined) return undefined;
  const i = series.step.lastIndexOf(step);
  return i >= 0 ? series.epoch[i] : undefined;
}

/** The card of `run`'s result for `key`; null when the run has no result for it (runResult). */
export function runCard(
  run: Pick<Run, 'method' | 'dataset' | 'config' | 'summary' | 'summarySteps'>,
  key: string,
  loaded: { series?: Series; jobs?: readonly Job[] } = {},
): EvaluationCard | null {
  const value = runResult(run, key);
  if (value === undefined) return null;
  const step = run.summarySteps[key];
  const epoch = epochAtStep(loaded.series, step);
  return evaluationCard(run, key, {
    value,
    ...(epoch === undefined ? {} : { epoch }),
    ...(loaded.jobs ? { jobs: loaded.jobs } : {}),
    declared: methodMetrics(),
  });
}
