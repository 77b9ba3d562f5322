import { dotRows, type Rows } from './rows';

/**
 * Cosine similarities of positive pairs (two views of one image) and negative pairs (views of different
 * images), and their histograms: the picture of InvaSpread (Ye et al. 2019, fig. 5), where training
 * should pull positives towards 1 and leave negatives near 0.
 */

export interface PairSimilarities {
  /** cos(a_i, b_i) for each i. */
  positive: Float64Array;
  /** cos(a_i, b_j) for each i ≠ j, row by row. */
  negative: Float64Array;
}

/** Row i of `a` and row i of `b` are the two views of image i. */
export function pairSimilarities(a: Rows, b: Rows): PairSimilarities {
  if (a.count !== b.count || a.dim !== b.dim) throw new Error('pairs need two views of the same shape');
  const n = a.count;
  const normA = Float64Array.from({ length: n }, (_, i) => Math.sqrt(dotRows(a, i, a, i)) || 1);
  const normB = Float64Array.from({ length: n }, (_, i) => Math.sqrt(dotRows(b, i, b, i)) || 1);
  const positive = new Float64Array(n);
  const negative = new Float64Array(n * (n - 1));
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const cos = dotRows(a, i, b, j) / (normA[i]! * normB[j]!);
      if (i === j) positive[i] = cos;
      else negative[k++] = cos;
    }
  }
  return { positive, negative };
}

export const HISTOGRAM_BINS = 40;

/**
 * Fractions of `values` in `bins` equal bins over [min, max] (edges min + i·(max − min)/bins); values
 * outside the range count in the first or last bin, and the last bin includes `max`. Sums to 1 (all
 * zeros when there are no values).
 */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS, min = -1, max = 1): number[] {
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const bin = Math.floor(((v - min) / (max - min)) * bins);
    counts[Math.min(bins - 1, Math.max(0, bin))] += 1;
    total++;
  }
  return counts.map((c) => (total ? c / total : 0));
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : NaN;
}
