import type { Run } from './run';
import { describeMetric, type MetricGroup, type MetricSpec } from './metrics';

/**
 * Metric groups whose points judge the representation at a step: the kNN monitor, a linear probe, a
 * fine-tune, a transfer. At step 0 they judged the random initialisation.
 */
const evaluations: ReadonlySet<MetricGroup> = new Set(['knn', 'probe', 'finetune', 'transfer']);

/**
 * The run's result for `key`, as tables, the comparison and the CSV exports show it: the summary's value
 * (the one at the highest step), except a kNN's, a probe's, a fine-tune's or a transfer's at step 0. That
 * one evaluated the random initialisation, the from-scratch baseline, never what the run learnt (a run
 * stopped before its first epoch ended has only that kNN); it stays a point at step 0. `declared` are the
 * keys a method declares (MethodInfo.metrics).
 */
export function runResult(
  run: Pick<Run, 'summary'> & Partial<Pick<Run, 'summarySteps'>>,
  key: string,
  declared: Readonly<Record<string, MetricSpec>> = {},
): number | undefined {
  const value = run.summary[key];
  if (value === undefined) return undefined;
  const atInit = run.summarySteps?.[key] === 0;
  return atInit && evaluations.has(describeMetric(key, declared).group) ? undefined : value;
}
