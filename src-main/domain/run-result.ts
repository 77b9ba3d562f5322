import type { Run } from './run';
import { describeMetric, type MetricGroup, type MetricSpec } from './metrics';

/** Metric groups whose points evaluate a checkpoint at its step: a linear probe, a fine-tune, a transfer. */
const checkpointEvaluations: ReadonlySet<MetricGroup> = new Set(['probe', 'finetune', 'transfer']);

/**
 * The run's result for `key`, as tables, the comparison and the CSV exports show it: the summary's value
 * (the one at the highest step), except a probe's, a fine-tune's or a transfer's at step 0. That one
 * evaluated the random initialisation, the from-scratch baseline, never what the run learnt; it stays a
 * point at step 0. `declared` are the keys a method declares (MethodInfo.metrics).
 */
export function runResult(
  run: Pick<Run, 'summary'> & Partial<Pick<Run, 'summarySteps'>>,
  key: string,
  declared: Readonly<Record<string, MetricSpec>> = {},
): number | undefined {
  const value = run.summary[key];
  if (value === undefined) return undefined;
  const atInit = run.summarySteps?.[key] === 0;
  return atInit && checkpointEvaluations.has(describeMetric(key, declared).group) ? undefined : value;
}
