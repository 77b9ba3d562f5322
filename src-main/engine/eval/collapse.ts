import { collapseThresholds } from '../../domain';
import { symmetricEigen } from './symmetric-eigen';
import { gramOfColumns, l2NormalizeRows, type Rows } from './rows';

/**
 * Collapse diagnostics of an embedding: the std of its L2-normalised outputs (SimSiam) and its effective
 * rank (RankMe). A collapsed embedding maps every image to the same point: std 0, effective rank 1. When
 * they count as collapsing is collapseCheck's rule (domain/metrics.ts).
 */

/**
 * Chen & He 2021 (SimSiam, §4.1 and fig. 2): the standard deviation of each dimension of z/‖z‖ over the
 * samples, averaged over the d dimensions. About 1/√d when the outputs spread over the sphere (a
 * zero-mean isotropic Gaussian), 0 when they collapse to one point. Population std (divides by n).
 */
export function embeddingStd(x: Rows): number {
  const { count: n, dim: d } = x;
  if (n === 0 || d === 0) return NaN;
  const z = l2NormalizeRows(x).data;
  let total = 0;
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += z[i * d + c]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (z[i * d + c]! - mean) ** 2;
    total += Math.sqrt(variance / n);
  }
  return total / d;
}

/** RankMe's ε (Garrido et al. 2023, eq. 1): keeps log p finite when singular values are 0. */
export const RANKME_EPSILON = 1e-7;

/**
 * RankMe (Garrido et al. 2023, "RankMe: Assessing the downstream performance of pretrained
 * self-supervised representations by their rank", eq. 1): with σ_k the singular values of the n×d
 * embedding matrix Z and p_k = σ_k/‖σ‖₁ + ε, the effective rank is exp(−Σ_k p_k log p_k). Between 1
 * (rank one: collapse) and min(n, d) (all singular values equal).
 */
export function effectiveRank(x: Rows): number {
  return effectiveRankFromGram(gramOfColumns(x), x.dim);
}

/**
 * The same from ZᵀZ (d×d), whose eigenvalues are σ_k²: cheaper than an SVD of Z when n ≫ d, and the
 * run worker builds ZᵀZ with one matMul.
 */
export function effectiveRankFromGram(gram: ArrayLike<number>, d: number): number {
  const { values } = symmetricEigen(gram, d);
  return effectiveRankFromSingularValues(Array.from(values, (l) => Math.sqrt(Math.max(0, l))));
}

export function effectiveRankFromSingularValues(sigma: ArrayLike<number>): number {
  let l1 = 0;
  for (let k = 0; k < sigma.length; k++) l1 += Math.abs(sigma[k]!);
  if (!(l1 > 0)) return NaN;
  let entropy = 0;
  for (let k = 0; k < sigma.length; k++) {
    const p = Math.abs(sigma[k]!) / l1 + RANKME_EPSILON;
    entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/**
 * Thresholds of the collapse warning, for the run log's message; the rule itself is collapseCheck in
 * domain/metrics.ts, shared with the app's banner.
 */
export const COLLAPSE_STD_RATIO = collapseThresholds.stdRatio;
export const COLLAPSE_RANK = collapseThresholds.effectiveRank;
