import { describe, expect, it } from 'vitest';
import {
  bandPoints,
  commonName,
  formatMeanStd,
  seedCurve,
  summaryMeanStd,
} from '../../../src-renderer/src/lib/seeds';
import { DisplaySeries, type Series } from '../../../src-renderer/src/lib/series';

/** A run's series of one metric: steps, epochs = step / 10, wall = t0 + step, and its values. */
const series = (steps: number[], values: number[], t0 = 0): Series => ({
  step: steps,
  epoch: steps.map((s) => s / 10),
  wall: steps.map((s) => t0 + s),
  value: values,
});

describe('mean ± std as the app writes it', () => {
  it('writes a percentage’s spread in percentage points, and n under two as the value alone', () => {
    expect(formatMeanStd('probe_top1', { mean: 0.712, std: 0.013, n: 3 })).toBe('71.2 ± 1.3%');
    expect(formatMeanStd('probe_top1', { mean: 0.712, std: 0, n: 1 })).toBe('71.2%');
    expect(formatMeanStd('probe_top1', null)).toBe('—');
    // A loss: its significant digits, the spread with two.
    expect(formatMeanStd('loss', { mean: 2.34567, std: 0.012345, n: 2 })).toBe('2.346 ± 0.012');
  });

  it('averages a summary key over the runs that have it', () => {
    const m = summaryMeanStd([{ summary: { loss: 1 } }, { summary: { loss: 3 } }, { summary: {} }], 'loss')!;
    expect(m).toEqual({ mean: 2, std: Math.SQRT2, n: 2 });
    expect(summaryMeanStd([{ summary: {} }], 'loss')).toBeNull();
  });
});

describe('seed curves', () => {
  it('aligns runs by step: mean, sample std, its bounds and n at every step', () => {
    const curve = seedCurve([
      { series: series([0, 10, 20], [1, 3, 5], 100), t0: 100 },
      { series: series([0, 10, 20], [3, 5, 9], 500), t0: 500 },
      // Still training: it has reached step 10.
      { series: series([0, 10], [2, 4], 900), t0: 900 },
      { series: undefined, t0: 0 },
    ]);
    expect(curve.mean.step).toEqual([0, 10, 20]);
    expect(curve.mean.value).toEqual([2, 4, 7]);
    expect(curve.std).toEqual([1, 1, Math.sqrt(8)]);
    expect(curve.lower).toEqual([1, 3, 7 - Math.sqrt(8)]);
    expect(curve.upper).toEqual([3, 5, 7 + Math.sqrt(8)]);
    expect(curve.n).toEqual([3, 3, 2]);
    expect(curve.mean.epoch).toEqual([0, 1, 2]);
    // Wall time: seconds since each run's own start.
    expect(curve.mean.wall).toEqual([0, 10, 20]);
  });

  it('skips values that are not finite', () => {
    const curve = seedCurve([
      { series: series([1, 2], [Number.NaN, 1]), t0: 0 },
      { series: series([1, 2], [4, 3]), t0: 0 },
    ]);
    expect(curve.mean.value).toEqual([4, 2]);
    expect(curve.n).toEqual([1, 2]);
  });

  it('bands: the lower bound and the width above it at the same x, in the chart’s x unit', () => {
    const curve = seedCurve([
      { series: series([0, 10, 20], [1, 3, 5]), t0: 0 },
      { series: series([0, 10, 20], [3, 5, 9]), t0: 0 },
    ]);
    const step = bandPoints(curve, 'step', 0, false);
    expect(step.lower.map(([x]) => x)).toEqual([0, 10, 20]);
    expect(step.width.map(([x]) => x)).toEqual([0, 10, 20]);
    const sd = Math.SQRT2;
    expect(step.lower.map(([, y]) => y)).toEqual([2 - sd, 4 - sd, 7 - 2 * sd]);
    expect(step.width[0]![1]).toBeCloseTo(2 * sd, 12);
    expect(step.width[2]![1]).toBeCloseTo(4 * sd, 12);
    expect(bandPoints(curve, 'epoch', 0, false).lower.map(([x]) => x)).toEqual([0, 1, 2]);
    // A log axis cannot draw a bound at or below zero: at step 0, 2 − 2√2 < 0.
    const wide = seedCurve([
      { series: series([0, 10], [0, 3]), t0: 0 },
      { series: series([0, 10], [4, 5]), t0: 0 },
    ]);
    expect(bandPoints(wide, 'step', 0, false).lower[0]![1]).toBeLessThan(0);
    expect(bandPoints(wide, 'step', 0, true).lower.map(([x]) => x)).toEqual([10]);
  });

  it('smooths the bounds as the chart smooths the mean, so the band stays centred on the line', () => {
    const a = series([1, 2, 3, 4, 5], [1, 5, 2, 8, 3]);
    const b = series([1, 2, 3, 4, 5], [3, 1, 6, 2, 7]);
    const curve = seedCurve([
      { series: a, t0: 0 },
      { series: b, t0: 0 },
    ]);
    const band = bandPoints(curve, 'step', 0.6, false);
    const line = new DisplaySeries('step', 0.6, 0);
    line.update(curve.mean);
    const mean = line.points(false);
    band.lower.forEach(([x, low], i) => {
      expect(x).toBe(mean[i]![0]);
      expect(low + band.width[i]![1] / 2).toBeCloseTo(mean[i]![1], 12);
    });
  });

  it('thins a long band by a stride, keeping the last point and both bounds aligned', () => {
    const steps = Array.from({ length: 2500 }, (_, i) => i);
    const curve = seedCurve([
      { series: series(steps, steps.map(Math.sin)), t0: 0 },
      { series: series(steps, steps.map(Math.cos)), t0: 0 },
    ]);
    const band = bandPoints(curve, 'step', 0, false, 1000);
    expect(band.lower.length).toBeLessThanOrEqual(1001);
    expect(band.lower.map(([x]) => x)).toEqual(band.width.map(([x]) => x));
    expect(band.lower.at(-1)![0]).toBe(2499);
    expect(band.lower[1]![0]).toBe(3);
  });
});

describe('a seed group’s name', () => {
  it('is what its runs’ names share, without the seed', () => {
    expect(commonName(['grid: lr=0.5, seed 0', 'grid: lr=0.5, seed 1'])).toBe('grid: lr=0.5');
    expect(commonName(['simclr seed=3', 'simclr seed=4', 'simclr seed=12'])).toBe('simclr');
    // Cut at a word, not inside one.
    expect(commonName(['crop small', 'crop smaller'])).toBe('crop');
    expect(commonName(['same', 'same'])).toBe('same');
    // Nothing worth showing in common: the first name.
    expect(commonName(['alpha', 'beta'])).toBe('alpha');
    expect(commonName(['only one'])).toBe('only one');
  });
});
