import type { MetricPoint } from '../../../src-main/domain';

/** One metric of one run, as columns; only ever appended to (points arrive in step order). */
export interface Series {
  step: number[];
  epoch: number[];
  wall: number[];
  value: number[];
}

/** What a chart's x axis counts: optimisation steps, epochs, training images seen, or wall time. */
export type XMode = 'step' | 'epoch' | 'images' | 'wall';

/** Every x axis, in the order the chart controls offer them. */
export const xModes: readonly XMode[] = ['step', 'epoch', 'images', 'wall'];

/**
 * What a line's x values are counted from besides its own columns: its run's start (Unix seconds), for
 * the wall-time axis, and the images one step consumes, for the images-seen axis (null where unknown:
 * the line has no points on that axis).
 */
export interface XOrigin {
  t0: number;
  imagesPerStep?: number | null;
}

/** The x of a series' i-th point on an axis; null where the axis cannot place it. */
export function xValue(mode: XMode, s: Series, i: number, origin: XOrigin): number | null {
  switch (mode) {
    case 'step':
      return s.step[i]!;
    case 'epoch':
      return s.epoch[i]!;
    case 'wall':
      return s.wall[i]! - origin.t0;
    case 'images':
      return origin.imagesPerStep ? s.step[i]! * origin.imagesPerStep : null;
  }
}

export const newSeries = (): Series => ({ step: [], epoch: [], wall: [], value: [] });

/** Appends a point unless the series already has it (a step at or before its last one). */
export function appendPoint(s: Series, p: MetricPoint): boolean {
  const n = s.step.length;
  if (n > 0 && p.step <= s.step[n - 1]!) return false;
  s.step.push(p.step);
  s.epoch.push(p.epoch);
  s.wall.push(p.wallTime);
  s.value.push(p.value);
  return true;
}

/** Groups points by key into series, in step order. */
export function seriesFromPoints(points: MetricPoint[]): Map<string, Series> {
  const out = new Map<string, Series>();
  const sorted = [...points].sort((a, b) => a.step - b.step || a.wallTime - b.wallTime);
  for (const p of sorted) {
    let s = out.get(p.key);
    if (!s) out.set(p.key, (s = newSeries()));
    appendPoint(s, p);
  }
  return out;
}

interface Bucket {
  n: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * What a chart draws of one series, kept up to date incrementally: each update reads only the points
 * appended since the last one, applies the debiased exponential moving average (TensorBoard's
 * smoothing), and folds the result into at most `maxBuckets` min/max buckets. Up to `maxBuckets`
 * points the output is the series itself; beyond that each bucket gives its minimum and maximum, so
 * spikes stay visible while the chart draws a bounded number of points however long the run.
 */
export class DisplaySeries {
  private consumed = 0;
  private emaLast = 0;
  private emaWeight = 0;
  private bucketSize = 1;
  private buckets: Bucket[] = [];
  private readonly origin: XOrigin;

  /** `origin`: the line's XOrigin, or just its start time. */
  constructor(
    readonly xMode: XMode,
    readonly smoothing: number,
    origin: XOrigin | number,
    private readonly maxBuckets = 1000,
  ) {
    this.origin = typeof origin === 'number' ? { t0: origin } : origin;
  }

  /** Points read so far. */
  get length(): number {
    return this.consumed;
  }

  update(s: Series): void {
    const n = s.value.length;
    for (let i = this.consumed; i < n; i++) {
      const raw = s.value[i]!;
      const x = xValue(this.xMode, s, i, this.origin);
      if (!Number.isFinite(raw) || x === null) continue;
      let y = raw;
      if (this.smoothing > 0) {
        this.emaLast = this.emaLast * this.smoothing + (1 - this.smoothing) * raw;
        this.emaWeight = this.emaWeight * this.smoothing + (1 - this.smoothing);
        y = this.emaLast / this.emaWeight;
      }
      this.add(x, y);
    }
    this.consumed = n;
  }

  private add(x: number, y: number): void {
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.n < this.bucketSize) {
      last.n++;
      if (y < last.minY) [last.minX, last.minY] = [x, y];
      if (y >= last.maxY) [last.maxX, last.maxY] = [x, y];
      return;
    }
    if (this.buckets.length >= this.maxBuckets) this.halve();
    this.buckets.push({ n: 1, minX: x, minY: y, maxX: x, maxY: y });
  }

  /** Merges neighbouring buckets pairwise: half as many, twice as wide. */
  private halve(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i]!;
      const b = this.buckets[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      merged.push({
        n: a.n + b.n,
        ...(b.minY < a.minY ? { minX: b.minX, minY: b.minY } : { minX: a.minX, minY: a.minY }),
        ...(b.maxY >= a.maxY ? { maxX: b.maxX, maxY: b.maxY } : { maxX: a.maxX, maxY: a.maxY }),
      });
    }
    this.buckets = merged;
    this.bucketSize *= 2;
  }

  /** The points to draw, in x order; non-positive values dropped for a log axis. */
  points(logScale: boolean): [number, number][] {
    const out: [number, number][] = [];
    const push = (x: number, y: number) => {
      if (!logScale || y > 0) out.push([x, y]);
    };
    for (const b of this.buckets) {
      if (b.n === 1 || (b.minX === b.maxX && b.minY === b.maxY)) push(b.minX, b.minY);
      else if (b.minX <= b.maxX) {
        push(b.minX, b.minY);
        push(b.maxX, b.maxY);
      } else {
        push(b.maxX, b.maxY);
        push(b.minX, b.minY);
      }
    }
    return out;
  }
}
