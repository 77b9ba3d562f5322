import type { SimilarityHistogram } from '../../../src-main/domain';

/**
 * Reading the diagnostics' charts (when an embedding counts as collapsing is collapseCheck's rule, in
 * domain/metrics.ts).
 */

/**
 * The std of the normalised embedding of a healthy run: 1/√d, the std per dimension of outputs spread
 * over the sphere (SimSiam, Chen & He 2021, §4.1 and fig. 2).
 */
export function healthyStd(dim: number): number {
  return 1 / Math.sqrt(dim);
}

/** The centre of each bin: edges are min + i·(max − min)/bins. */
export function histogramCentres(h: Pick<SimilarityHistogram, 'min' | 'max' | 'positive'>): number[] {
  const bins = h.positive.length;
  const width = (h.max - h.min) / bins;
  return Array.from({ length: bins }, (_, i) => h.min + (i + 0.5) * width);
}

/** The mean similarity a histogram implies (bin centres weighted by their fractions). */
export function histogramMean(fractions: number[], centres: number[]): number | null {
  let sum = 0;
  let weight = 0;
  fractions.forEach((f, i) => {
    sum += f * centres[i]!;
    weight += f;
  });
  return weight > 0 ? sum / weight : null;
}

/**
 * A y range with round ends and about five round steps (1, 2 or 5 × 10ⁿ) that covers `values`,
 * optionally clamped to `limits` (e.g. [0, 1] for accuracies).
 */
export function niceRange(
  values: number[],
  limits?: [number, number],
): { min: number; max: number; step: number } {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi === lo) {
    const pad = Math.abs(hi) * 0.1 || 0.5;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  let min = Math.floor(lo / step) * step;
  let max = Math.ceil(hi / step) * step;
  if (limits) {
    min = Math.max(limits[0], min);
    max = Math.min(limits[1], max);
  }
  // Rounding noise (0.30000000000000004) would show in the axis labels.
  const round = (v: number) => Number(v.toPrecision(12));
  return { min: round(min), max: round(max), step: round(step) };
}
