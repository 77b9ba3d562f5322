/**
 * A run's summary (the last value of each metric) kept current from live points by the engine's own
 * rule (store.ts): the value shown is the one at the highest step, so a point replaces it only at the
 * same or a later step. A linear probe or a fine-tune of an early checkpoint is a point at that
 * checkpoint's step, never the run's final result (runResult).
 */
import { runResult as domainRunResult, type MetricPoint, type Run } from '../../../src-main/domain';
import { methodMetrics } from './metrics';

export type RunSummary = Pick<Run, 'summary' | 'summarySteps'>;

/** Whether a value at `step` replaces the one shown for `key` (no value shown: it does). */
function supersedes(shown: RunSummary, key: string, step: number): boolean {
  return !(key in shown.summary) || step >= (shown.summarySteps[key] ?? -Infinity);
}

/** Applies one live point to `run` in place; returns whether it replaced (or added) the value shown. */
export function applySummaryPoint(run: RunSummary, p: MetricPoint): boolean {
  if (!supersedes(run, p.key, p.step)) return false;
  run.summary[p.key] = p.value;
  run.summarySteps[p.key] = p.step;
  return true;
}

/**
 * What to show after a fresh snapshot of a run arrives: per key, the snapshot's value unless the one
 * shown is from a later step (a point that arrived after the snapshot was read). Keys the snapshot
 * lacks keep their value. Neither argument is changed.
 */
export function mergeSummaries(shown: RunSummary, fresh: RunSummary): RunSummary {
  const merged: RunSummary = { summary: { ...shown.summary }, summarySteps: { ...shown.summarySteps } };
  for (const [key, value] of Object.entries(fresh.summary)) {
    const step = fresh.summarySteps[key] ?? -Infinity;
    if (supersedes(merged, key, step)) {
      merged.summary[key] = value;
      merged.summarySteps[key] = step;
    }
  }
  return merged;
}

/** The run's result for `key` (domain/run-result.ts), with the keys the methods declare. */
export function runResult(run: Pick<Run, 'summary'> & Partial<RunSummary>, key: string): number | undefined {
  return domainRunResult(run, key, methodMetrics());
}
