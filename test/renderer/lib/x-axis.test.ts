import { describe, expect, it } from 'vitest';
import { bandPoints, seedCurve } from '../../../src-renderer/src/lib/seeds';
import { DisplaySeries, type Series, xValue } from '../../../src-renderer/src/lib/series';
import {
  formatImages,
  formatPercentTick,
  formatTick,
  imagesPerStep,
  xScale,
} from '../../../src-renderer/src/lib/x-axis';
import { imageFileName } from '../../../src-renderer/src/lib/chart-export';

/** A run's loss every step over 1 epoch of 4 steps, then a kNN point at the epoch's end. */
const series = (steps: number[], t0: number): Series => ({
  step: steps,
  epoch: steps.map((s) => s / 4),
  wall: steps.map((s) => t0 + 2.5 * s),
  value: steps.map((s) => 1 / s),
});

describe('the images-seen axis', () => {
  it('takes the batch size a step, or the whole training subset when it is smaller', () => {
    expect(imagesPerStep({ config: { batchSize: 256 }, dataset: { id: 'cifar10' } })).toBe(256);
    expect(imagesPerStep({ config: { batchSize: 256 }, dataset: { id: 'synthetic', trainSize: 100 } })).toBe(
      100,
    );
    expect(imagesPerStep({ config: { batchSize: 64 }, dataset: { id: 'synthetic', trainSize: 1000 } })).toBe(
      64,
    );
    expect(imagesPerStep({ config: {}, dataset: { id: 'cifar10' } })).toBeNull();
    expect(imagesPerStep({ config: { batchSize: 'x' }, dataset: { id: 'cifar10' } })).toBeNull();
  });

  it('places a point at step × images per step, and not at all where that is unknown', () => {
    const s = series([1, 2, 3, 4], 1000);
    expect(xValue('images', s, 2, { t0: 1000, imagesPerStep: 32 })).toBe(96);
    expect(xValue('images', s, 2, { t0: 1000, imagesPerStep: null })).toBeNull();
    expect(xValue('wall', s, 2, { t0: 1000 })).toBe(7.5);
    expect(xValue('epoch', s, 2, { t0: 1000 })).toBe(0.75);
    expect(xValue('step', s, 2, { t0: 1000 })).toBe(3);
  });

  it('lines up two runs of different batch sizes by the data they saw', () => {
    // Batch 32 for 8 steps and batch 64 for 4 steps have both seen 256 images at their ends.
    const small = new DisplaySeries('images', 0, { t0: 0, imagesPerStep: 32 });
    small.update(series([1, 2, 3, 4, 5, 6, 7, 8], 0));
    const large = new DisplaySeries('images', 0, { t0: 0, imagesPerStep: 64 });
    large.update(series([1, 2, 3, 4], 0));
    expect(small.points(false).map(([x]) => x)).toEqual([32, 64, 96, 128, 160, 192, 224, 256]);
    expect(large.points(false).map(([x]) => x)).toEqual([64, 128, 192, 256]);
    const unknown = new DisplaySeries('images', 0, { t0: 0, imagesPerStep: null });
    unknown.update(series([1, 2], 0));
    expect(unknown.points(false)).toEqual([]);
  });

  it('draws a seed group’s band on the same axis', () => {
    const curve = seedCurve([
      { series: series([1, 2], 100), t0: 100 },
      { series: series([1, 2], 500), t0: 500 },
    ]);
    expect(bandPoints(curve, 'images', 0, false, 1000, 16).lower.map(([x]) => x)).toEqual([16, 32]);
    expect(bandPoints(curve, 'images', 0, false).lower).toEqual([]);
    expect(bandPoints(curve, 'wall', 0, false).lower.map(([x]) => x)).toEqual([2.5, 5]);
  });
});

describe('axis units', () => {
  it('shows wall time in seconds, minutes or hours, and images in thousands or millions', () => {
    expect(xScale('wall', 90)).toEqual({ divisor: 1, unit: 's', suffix: '' });
    expect(xScale('wall', 600)).toEqual({ divisor: 60, unit: 'min', suffix: '' });
    expect(xScale('wall', 36_000)).toEqual({ divisor: 3600, unit: 'h', suffix: '' });
    expect(xScale('images', 4096)).toEqual({ divisor: 1, unit: '', suffix: '' });
    expect(xScale('images', 50_000_000)).toEqual({ divisor: 1e6, unit: '', suffix: 'M' });
    expect(xScale('images', 256_000)).toEqual({ divisor: 1e3, unit: '', suffix: 'k' });
    expect(xScale('step', 1e9).divisor).toBe(1);
    expect(formatImages(12_800, 'en')).toBe('12,800');
  });
});

describe('tick labels', () => {
  /** The ticks ECharts puts on a value axis: multiples of a nice interval, with binary noise. */
  const ticks = (from: number, interval: number, n: number) =>
    Array.from({ length: n }, (_, i) => from + i * interval);

  it('never repeat, however small the range', () => {
    for (const [from, interval] of [
      [1, 0.5],
      [0.30001, 0.00001],
      [10.0005, 0.0005],
      [0.1, 0.1],
      [12_000, 200],
      [0.0001, 0.00005],
      [250_000, 50],
    ] as const) {
      const labels = ticks(from, interval, 6).map((v) => formatTick(v));
      expect(new Set(labels).size, labels.join(', ')).toBe(6);
      const percents = ticks(from / 1e3, interval / 1e3, 6).map(formatPercentTick);
      expect(new Set(percents).size, percents.join(', ')).toBe(6);
    }
  });

  it('write a value with the digits it has and no binary noise', () => {
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(1.5)).toBe('1.5');
    expect(formatTick(0)).toBe('0');
    expect(formatTick(20, 'k')).toBe('20k');
    expect(formatTick(0.00015)).toBe('1.5e-4');
    expect(formatTick(250_050)).toBe('2.5005e+5');
    expect(formatPercentTick(0.305)).toBe('30.5%');
    expect(formatPercentTick(0.30001)).toBe('30.001%');
  });
});

describe('chart image names', () => {
  it('name the file after the chart', () => {
    expect(imageFileName('Loss (NT-Xent)', 'png')).toBe('loss-nt-xent.png');
    expect(imageFileName('kNN top-1 准确率', 'svg')).toBe('knn-top-1-准确率.svg');
    expect(imageFileName('—', 'svg')).toBe('chart.svg');
  });
});
