import { dotRows, type Rows } from './rows';

/**
 * Alignment and uniformity of an L2-normalised embedding (Wang & Isola 2020, "Understanding Contrastive
 * Representation Learning through Alignment and Uniformity on the Hypersphere", eq. 4 and 5). Lower is
 * better for both. Inputs must already be L2-normalised, so ‖u − v‖² = 2 − 2u·v.
 */

/** L_align = E_(x,y)~positives ‖f(x) − f(y)‖₂^α (eq. 4), row i of `a` paired with row i of `b`. */
export function alignment(a: Rows, b: Rows, alpha = 2): number {
  if (a.count !== b.count || a.dim !== b.dim) throw new Error('alignment needs two views of the same shape');
  if (a.count === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < a.count; i++) {
    let d2 = 0;
    for (let c = 0; c < a.dim; c++) {
      const diff = a.data[i * a.dim + c]! - b.data[i * b.dim + c]!;
      d2 += diff * diff;
    }
    sum += alpha === 2 ? d2 : Math.pow(d2, alpha / 2);
  }
  return sum / a.count;
}

/**
 * L_uniform = log E_(x,y)~data exp(−t‖f(x) − f(y)‖²) (eq. 5, t = 2), over all pairs i ≠ j of the rows:
 * 0 when every row is the same point (collapse), more negative the more evenly the rows cover the sphere
 * (two antipodal points: log e^(−2·4) = −8).
 */
export function uniformity(x: Rows, t = 2): number {
  const n = x.count;
  if (n < 2) return NaN;
  const squaredNorms = Float64Array.from({ length: n }, (_, i) => dotRows(x, i, x, i));
  // Every term lies in [e^(−4t), 1] for unit vectors, so the plain sum neither overflows nor underflows.
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d2 = Math.max(0, squaredNorms[i]! + squaredNorms[j]! - 2 * dotRows(x, i, x, j));
      sum += Math.exp(-t * d2);
    }
  }
  // The pairs (i, j) and (j, i) are the same term: the mean over i ≠ j is the mean over i < j.
  return Math.log(sum / ((n * (n - 1)) / 2));
}
