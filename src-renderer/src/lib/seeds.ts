/**
 * Runs that differ only in their seed, as the renderer shows them (domain/seed-groups.ts groups them):
 * a metric as mean ± std, and curves as a mean line with a band of ± one std, aligned by step.
 */
import { meanStd, type MeanStd, type MetricFormat } from '../../../src-main/domain';
import { formatNumber, formatWith } from './format';
import { metricSpec } from './metrics';
import { xValue, type Series, type XMode } from './series';
import { runResult } from './summary';

/** The std in the mean's own format; a significant-digits one gets two, enough to read a spread. */
function formatSpread(format: MetricFormat, std: number): string {
  switch (format.kind) {
    case 'percent':
      return (100 * std).toFixed(format.decimals);
    case 'significant':
      return formatNumber(std, 2);
    default:
      return formatWith(format, std);
  }
}

/**
 * "71.2 ± 1.3%" for a percentage (both in percentage points), "2.345 ± 0.012" otherwise; a single
 * value as the metric shows it alone; "—" for none. Without n: callers add it as they lay it out.
 */
export function formatMeanStd(key: string, m: MeanStd | null): string {
  const format = metricSpec(key).format;
  if (!m) return formatWith(format, null);
  if (m.n < 2) return formatWith(format, m.mean);
  const mean =
    format.kind === 'percent' ? (100 * m.mean).toFixed(format.decimals) : formatWith(format, m.mean);
  const spread = formatSpread(format, m.std);
  return format.kind === 'percent' ? `${mean} ± ${spread}%` : `${mean} ± ${spread}`;
}

/**
 * Mean ± std of one key's result over runs (runResult: never a probe or fine-tune of step 0), skipping
 * runs without it; null when none has it.
 */
export function summaryMeanStd(
  runs: readonly Parameters<typeof runResult>[0][],
  key: string,
): MeanStd | null {
  return meanStd(
    runs.flatMap((r) => {
      const v = runResult(r, key);
      return v === undefined ? [] : [v];
    }),
  );
}

/** A metric of several runs at each step any of them logged: the mean, its ± std bounds and n. */
export interface SeedCurve {
  /**
   * The mean as a series a chart draws like any run's: wall times are seconds since each run's start,
   * averaged (draw it with t0 = 0).
   */
  mean: Series;
  lower: number[];
  upper: number[];
  std: number[];
  n: number[];
}

/**
 * Aligns the runs' series by step and averages them. A step some runs have not reached yet (they are
 * still training) averages the runs that have, and its n says how many.
 */
export function seedCurve(runs: readonly { series: Series | undefined; t0: number }[]): SeedCurve {
  const atStep = new Map<number, { values: number[]; epochs: number[]; walls: number[] }>();
  for (const { series, t0 } of runs) {
    if (!series) continue;
    for (let i = 0; i < series.step.length; i++) {
      const value = series.value[i]!;
      if (!Number.isFinite(value)) continue;
      const step = series.step[i]!;
      let at = atStep.get(step);
      if (!at) atStep.set(step, (at = { values: [], epochs: [], walls: [] }));
      at.values.push(value);
      at.epochs.push(series.epoch[i]!);
      at.walls.push(series.wall[i]! - t0);
    }
  }
  const steps = [...atStep.keys()].sort((a, b) => a - b);
  const out: SeedCurve = {
    mean: { step: [], epoch: [], wall: [], value: [] },
    lower: [],
    upper: [],
    std: [],
    n: [],
  };
  const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const step of steps) {
    const at = atStep.get(step)!;
    const m = meanStd(at.values)!;
    out.mean.step.push(step);
    out.mean.epoch.push(average(at.epochs));
    out.mean.wall.push(average(at.walls));
    out.mean.value.push(m.mean);
    out.std.push(m.std);
    out.lower.push(m.mean - m.std);
    out.upper.push(m.mean + m.std);
    out.n.push(m.n);
  }
  return out;
}

/**
 * The band of a seed curve as a chart stacks it: the lower bound, and the band's width above it, at the
 * same x for both (ECharts stacks by x). Smoothed as the chart smooths lines (the debiased EMA, applied
 * to each bound: it is linear, so the band stays centred on the smoothed mean), thinned to at most
 * `maxPoints` by taking every k-th step so both stay aligned. On a log axis, points whose lower bound is
 * not positive are left out.
 */
export function bandPoints(
  curve: SeedCurve,
  xMode: XMode,
  smoothing: number,
  logScale: boolean,
  maxPoints = 1000,
  imagesPerStep: number | null = null,
): { lower: [number, number][]; width: [number, number][] } {
  const origin = { t0: 0, imagesPerStep };
  const xs = curve.mean.step.map((_, i) => xValue(xMode, curve.mean, i, origin));
  const stride = Math.max(1, Math.ceil(xs.length / maxPoints));
  const lower: [number, number][] = [];
  const width: [number, number][] = [];
  let emaLow = 0;
  let emaHigh = 0;
  let weight = 0;
  for (let i = 0; i < xs.length; i++) {
    let low = curve.lower[i]!;
    let high = curve.upper[i]!;
    if (smoothing > 0) {
      emaLow = emaLow * smoothing + (1 - smoothing) * low;
      emaHigh = emaHigh * smoothing + (1 - smoothing) * high;
      weight = weight * smoothing + (1 - smoothing);
      low = emaLow / weight;
      high = emaHigh / weight;
    }
    // Every stride-th point, and always the last one so the band reaches the line's end.
    if (i % stride !== 0 && i !== xs.length - 1) continue;
    const x = xs[i];
    if ((logScale && low <= 0) || x === null || x === undefined) continue;
    lower.push([x, low]);
    width.push([x, high - low]);
  }
  return { lower, width };
}

/**
 * What the names of a seed group's runs share, for its legend entry: their common beginning, cut at a
 * word, without a trailing "seed" and separators ("grid: lr=0.5, seed 0" and "…, seed 1" → "grid:
 * lr=0.5"); the first name when they share nothing worth showing.
 */
export function commonName(names: readonly string[]): string {
  const first = names[0] ?? '';
  let end = first.length;
  for (const name of names.slice(1)) {
    let i = 0;
    while (i < end && i < name.length && name[i] === first[i]) i++;
    end = i;
  }
  let prefix = first.slice(0, end);
  // Cut inside a word back to its start, unless every name is that word whole.
  if (names.some((n) => n.length > end && /\w/.test(n[end]!)) && /\w$/.test(prefix))
    prefix = prefix.replace(/\w+$/, '');
  prefix = prefix.replace(/[\s,;:·(-]*(seed\s*=?\s*)?$/i, '').replace(/[\s,;:·(-]+$/, '');
  return prefix.length >= 3 ? prefix : first;
}
