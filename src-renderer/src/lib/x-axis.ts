/**
 * The x axes of the metric charts besides step and epoch: training images seen and wall time, and tick
 * labels that never repeat on any axis.
 */
import type { Run } from '../../../src-main/domain';
import type { XMode } from './series';

/**
 * The training images one optimisation step of a run consumes: its batch size, or its whole training
 * subset when that is smaller (the loop trains on min(batch size, training images) a step,
 * engine/runner/train.ts). Images seen after step s are s × this. It counts images, not views: a
 * two-view method sees each image twice a step, as papers count "epochs × dataset size". Null when the
 * config has no batch size.
 */
export function imagesPerStep(run: Pick<Run, 'config' | 'dataset'>): number | null {
  const batch = Number(run.config.batchSize);
  if (!Number.isFinite(batch) || batch <= 0) return null;
  const train = run.dataset.trainSize;
  return train !== undefined && train > 0 ? Math.min(batch, train) : batch;
}

/** The unit an axis shows its values in: x ÷ divisor, with the unit in the axis name or on each tick. */
export interface XScale {
  divisor: number;
  /** Shown in the axis name ("Wall time (min)"); '' for none. */
  unit: '' | 's' | 'min' | 'h';
  /** Shown on each tick ("20k"); '' for none. */
  suffix: '' | 'k' | 'M';
}

/**
 * The unit for an axis whose values reach `maxX` (in its base unit: seconds, images): wall time in
 * seconds up to two minutes, minutes up to two hours, hours beyond, so ticks fall on round minutes and
 * hours; images as they are up to ten thousand, then in thousands (k) and millions (M).
 */
export function xScale(mode: XMode, maxX: number): XScale {
  const m = Number.isFinite(maxX) ? Math.abs(maxX) : 0;
  if (mode === 'wall') {
    if (m < 120) return { divisor: 1, unit: 's', suffix: '' };
    if (m < 7200) return { divisor: 60, unit: 'min', suffix: '' };
    return { divisor: 3600, unit: 'h', suffix: '' };
  }
  if (mode === 'images') {
    if (m < 1e4) return { divisor: 1, unit: '', suffix: '' };
    if (m < 1e7) return { divisor: 1e3, unit: '', suffix: 'k' };
    return { divisor: 1e6, unit: '', suffix: 'M' };
  }
  return { divisor: 1, unit: '', suffix: '' };
}

/**
 * A tick label: the value with every digit it has (after rounding away binary noise), so two different
 * ticks never read the same — rounding to a fixed number of digits writes 0.30001 and 0.30002 both as
 * "0.3", and an integer axis's 1.5 as "2" beside the real 2. Scientific notation below 1e-3 and from
 * 1e5 on, as formatNumber writes values.
 */
export function formatTick(v: number, suffix = ''): string {
  if (!Number.isFinite(v)) return String(v);
  const clean = Number(v.toPrecision(12));
  if (clean === 0) return `0${suffix}`;
  const a = Math.abs(clean);
  const text = a >= 1e5 || a < 1e-3 ? clean.toExponential() : String(clean);
  return text + suffix;
}

/** A tick of a percentage axis (values are fractions): 0.305 → "30.5%", as many digits as it has. */
export function formatPercentTick(v: number): string {
  return `${formatTick(v * 100)}%`;
}

/** An images-seen count in full with thousands separators, for tooltips: 12800 → "12,800". */
export function formatImages(v: number, locale: string): string {
  return Math.round(v).toLocaleString(locale);
}
