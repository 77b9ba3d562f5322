import { describe, expect, it } from 'vitest';
import { fieldsOf, parseField, rangeText } from '../../../src-renderer/src/lib/schema';
import {
  appendPoint,
  DisplaySeries,
  newSeries,
  seriesFromPoints,
} from '../../../src-renderer/src/lib/series';

const point = (step: number, value: number, key = 'loss') => ({
  runId: 1,
  step,
  epoch: step / 10,
  key,
  value,
  wallTime: 1000 + step,
});

describe('renderer series', () => {
  it('appends points in step order and ignores repeats', () => {
    const s = newSeries();
    expect(appendPoint(s, point(1, 3))).toBe(true);
    expect(appendPoint(s, point(2, 2))).toBe(true);
    expect(appendPoint(s, point(2, 5))).toBe(false);
    expect(appendPoint(s, point(1, 5))).toBe(false);
    expect(s.value).toEqual([3, 2]);
  });

  it('groups points by key, sorted by step', () => {
    const m = seriesFromPoints([point(2, 2), point(1, 1), point(1, 0.5, 'lr')]);
    expect(m.get('loss')!.step).toEqual([1, 2]);
    expect(m.get('lr')!.value).toEqual([0.5]);
  });

  it('shows a short series exactly and reads only new points on update', () => {
    const s = newSeries();
    for (let i = 1; i <= 10; i++) appendPoint(s, point(i, i));
    const d = new DisplaySeries('step', 0, 0, 100);
    d.update(s);
    expect(d.points(false)).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, i + 1]));
    appendPoint(s, point(11, 11));
    d.update(s);
    expect(d.length).toBe(11);
    expect(d.points(false).at(-1)).toEqual([11, 11]);
  });

  it('bounds a long series and keeps its extremes', () => {
    const s = newSeries();
    for (let i = 1; i <= 100_000; i++) appendPoint(s, point(i, i === 54_321 ? 1e6 : Math.sin(i / 100)));
    const d = new DisplaySeries('step', 0, 0, 500);
    // Incremental updates in chunks give the same result as one update.
    d.update({ ...s, value: s.value.slice(0, 40_000), step: s.step.slice(0, 40_000) });
    d.update(s);
    const pts = d.points(false);
    expect(pts.length).toBeLessThanOrEqual(1000);
    expect(pts.some(([x, y]) => x === 54_321 && y === 1e6)).toBe(true);
    const xs = pts.map(([x]) => x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs[0]).toBe(1);
    expect(xs.at(-1)).toBe(100_000);
  });

  it('smooths with a debiased moving average and hides non-positive values on a log axis', () => {
    const s = newSeries();
    [2, 4, -1].forEach((v, i) => appendPoint(s, point(i + 1, v)));
    const d = new DisplaySeries('step', 0.5, 0);
    d.update(s);
    const ys = d.points(false).map(([, y]) => y);
    expect(ys[0]).toBeCloseTo(2);
    expect(ys[1]).toBeCloseTo((0.5 * 0.5 * 2 + 0.5 * 4) / 0.75);
    const raw = new DisplaySeries('wall', 0, 1000);
    raw.update(s);
    expect(raw.points(true).map(([x]) => x)).toEqual([1, 2]);
  });
});

describe('renderer form schema', () => {
  const schema = {
    properties: {
      epochs: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: 10,
        group: 'optimisation',
        unit: 'epochs',
      },
      temperature: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.5, group: 'method' },
      backbone: { type: 'string', enum: ['convnet', 'resnet18'], default: 'convnet', group: 'model' },
      flag: { type: 'boolean', default: false, group: 'model' },
      odd: { default: 1 },
    },
  };
  const fields = fieldsOf(schema);
  const byKey = (k: string) => fields.find((f) => f.key === k)!;

  it('reads kinds, groups, units and bounds', () => {
    expect(fields.map((f) => [f.key, f.kind, f.group])).toEqual([
      ['epochs', 'integer', 'optimisation'],
      ['temperature', 'number', 'method'],
      ['backbone', 'enum', 'model'],
      ['flag', 'boolean', 'model'],
      ['odd', 'json', 'other'],
    ]);
    expect(byKey('epochs').unit).toBe('epochs');
    expect(rangeText(byKey('epochs'))).toBe('1 … 100');
    expect(rangeText(byKey('temperature'))).toBe('> 0 … 10');
  });

  it('flags invalid input with the reason', () => {
    expect(parseField(byKey('epochs'), '12')).toEqual({ value: 12 });
    expect(parseField(byKey('epochs'), 'abc').error?.code).toBe('notNumber');
    expect(parseField(byKey('epochs'), '1.5').error?.code).toBe('notInteger');
    expect(parseField(byKey('epochs'), '0').error).toEqual({ code: 'min', params: { n: 1 } });
    expect(parseField(byKey('epochs'), '101').error?.code).toBe('max');
    expect(parseField(byKey('epochs'), ' ').error?.code).toBe('required');
    expect(parseField(byKey('temperature'), '0').error?.code).toBe('gt');
    expect(parseField(byKey('temperature'), '1e-2')).toEqual({ value: 0.01 });
    expect(parseField(byKey('backbone'), 'vit').error?.code).toBe('notOption');
    expect(parseField(byKey('flag'), true)).toEqual({ value: true });
    expect(parseField(byKey('odd'), '[1,2]')).toEqual({ value: [1, 2] });
  });
});
