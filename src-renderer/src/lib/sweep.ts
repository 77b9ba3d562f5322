/**
 * Sweep analysis: which settings differ between a set of runs, how each is best drawn as an axis (a
 * category, a linear or a logarithmic scale), and the rows of a parallel-coordinates chart and of a
 * metric-against-setting scatter. Pure: the component (SweepAnalysis.vue) draws what this computes.
 */
import type { Run } from '../../../src-main/domain';

/** A run's value of one setting: a number, a category, or missing (the method has no such field). */
export type SettingValue = number | string | null;

/** One setting as an axis: a category axis for strings and flags, a value or log axis for numbers. */
export interface SweepAxis {
  /** `method`, `dataset`, `dataset.trainSize`, `dataset.testSize`, `backend` or a config key. */
  key: string;
  kind: 'category' | 'value' | 'log';
  /** A category axis's values in order (numbers as text sort by value); empty for numeric axes. */
  categories: string[];
  /** The value of each run, in the order of the runs given. */
  values: SettingValue[];
  /** Smallest and largest numeric value (null on a category axis). */
  min: number | null;
  max: number | null;
}

/** A run's result for a metric key (the component passes lib/summary's runResult). */
export type MetricOf = (run: Run, key: string) => number | undefined;

/** Text for a non-numeric value; objects and arrays as JSON so equal settings compare equal. */
function asCategory(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/**
 * Every setting of a run, as the comparison's config table lists them: the method, the dataset and its
 * subset sizes, the backend asked for, then each config field. Missing values are undefined.
 */
export function runSettings(run: Run): Record<string, unknown> {
  return {
    method: run.method,
    dataset: run.dataset.id,
    'dataset.trainSize': run.dataset.trainSize,
    'dataset.testSize': run.dataset.testSize,
    backend: run.backendPreference,
    ...run.config,
  };
}

/**
 * A numeric setting is drawn on a log axis when every value is positive and the largest is at least ten
 * times the smallest: a learning rate of 1e-3 … 1 is a decade apart per step, which a linear axis
 * squeezes into its bottom edge.
 */
export function numericKind(values: readonly number[]): 'value' | 'log' {
  if (values.length < 2 || values.some((v) => !(v > 0))) return 'value';
  return Math.max(...values) / Math.min(...values) >= 10 ? 'log' : 'value';
}

function sameSetting(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return asCategory(a) === asCategory(b);
}

/**
 * The settings that differ between `runs`, each as an axis, in the order they first appear (method and
 * dataset first, then the config's order). Settings every run shares are left out: an axis where all
 * lines meet says nothing. Fewer than two runs: no axes.
 */
export function sweepAxes(runs: readonly Run[]): SweepAxis[] {
  if (runs.length < 2) return [];
  const settings = runs.map(runSettings);
  const keys = [...new Set(settings.flatMap((s) => Object.keys(s)))];
  const axes: SweepAxis[] = [];
  for (const key of keys) {
    const raw = settings.map((s) => s[key]);
    if (raw.every((v) => sameSetting(v, raw[0]))) continue;
    const present = raw.filter((v) => v !== undefined && v !== null);
    if (present.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) {
      const values = raw.map((v) => (typeof v === 'number' ? v : null));
      axes.push({
        key,
        kind: numericKind(present),
        categories: [],
        values,
        min: Math.min(...present),
        max: Math.max(...present),
      });
      continue;
    }
    const values = raw.map((v) => (v === undefined || v === null ? null : asCategory(v)));
    const distinct = [...new Set(values.filter((v): v is string => v !== null))];
    // Numbers mixed with text ("auto", 0.5) sort numbers by value, then the rest by name.
    distinct.sort((a, b) => {
      const x = Number(a);
      const y = Number(b);
      const an = a.trim() !== '' && Number.isFinite(x);
      const bn = b.trim() !== '' && Number.isFinite(y);
      if (an && bn) return x - y;
      if (an !== bn) return an ? -1 : 1;
      return a.localeCompare(b);
    });
    axes.push({ key, kind: 'category', categories: distinct, values, min: null, max: null });
  }
  return axes;
}

/** The metric keys at least one of the runs has a result for, in the order `keys` lists them. */
export function sweepMetricKeys(runs: readonly Run[], keys: readonly string[], metricOf: MetricOf): string[] {
  return keys.filter((k) => runs.some((r) => metricOf(r, k) !== undefined));
}

/**
 * The metric a sweep is coloured by when the user has not picked one: the first of the preferred keys
 * (the final probe, then kNN, then the loss) that some run has, else the first available.
 */
export function defaultSweepMetric(available: readonly string[], preferred?: string): string | null {
  const order = [preferred, 'probe_top1', 'knn_top1', 'finetune_top1', 'loss'];
  for (const k of order) if (k && available.includes(k)) return k;
  return available[0] ?? null;
}

/** One line of the parallel-coordinates chart: a run's value on each axis, then its metric (or null). */
export interface ParallelRow {
  runId: number;
  values: SettingValue[];
  metric: number | null;
}

/** A line per run: its settings on the axes and its result for `metricKey` as the last coordinate. */
export function parallelRows(
  runs: readonly Run[],
  axes: readonly SweepAxis[],
  metricKey: string,
  metricOf: MetricOf,
): ParallelRow[] {
  return runs.map((run, i) => ({
    runId: run.id,
    values: axes.map((a) => a.values[i] ?? null),
    metric: metricOf(run, metricKey) ?? null,
  }));
}

/** The range a metric colours over: its smallest and largest value among the runs that have it. */
export function metricRange(rows: readonly ParallelRow[]): { min: number; max: number } | null {
  const values = rows.flatMap((r) => (r.metric === null ? [] : [r.metric]));
  if (!values.length) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  // A single value (or all equal) still needs a range for the colour scale.
  return min === max
    ? { min: min - Math.abs(min || 1) * 0.01, max: max + Math.abs(max || 1) * 0.01 }
    : { min, max };
}

/** A point of the metric-against-setting scatter; `x` is a category's index on a category axis. */
export interface ScatterPoint {
  runId: number;
  x: number;
  y: number;
}

/**
 * The runs that have both a value of the setting and a result for the metric, as points. On a category
 * axis, runs of the same category (seeds of one cell) share an x; the chart spreads them a little.
 */
export function scatterPoints(
  runs: readonly Run[],
  axis: SweepAxis,
  metricKey: string,
  metricOf: MetricOf,
): ScatterPoint[] {
  return runs.flatMap((run, i) => {
    const v = axis.values[i];
    const y = metricOf(run, metricKey);
    if (v === null || v === undefined || y === undefined) return [];
    const x = typeof v === 'number' ? v : axis.categories.indexOf(v);
    return x < 0 ? [] : [{ runId: run.id, x, y }];
  });
}

/**
 * A spread of ±`width`/2 for the k-th of n points sharing one category, so seeds of one cell are seen
 * side by side instead of on top of each other (deterministic: the same picture every time).
 */
export function categoryJitter(k: number, n: number, width = 0.3): number {
  return n <= 1 ? 0 : -width / 2 + (width * k) / (n - 1);
}
