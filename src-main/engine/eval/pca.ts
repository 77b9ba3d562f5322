import { symmetricEigen } from './symmetric-eigen';
import { gramOfColumns, type Rows } from './rows';

/**
 * Principal component analysis to two dimensions, for the embedding map: centre the rows, take the
 * eigenvectors of the d×d covariance with the two largest eigenvalues, and project onto them. Each
 * axis's sign is fixed (its largest loading is positive) so the map does not flip between epochs for no
 * reason.
 */
export interface Pca2d {
  points: [number, number][];
  /** Variance along each of the two axes, and its share of the total variance. */
  variance: [number, number];
  explained: [number, number];
}

export function pca2d(x: Rows): Pca2d {
  const { count: n, dim: d } = x;
  if (n === 0) return { points: [], variance: [0, 0], explained: [0, 0] };
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += x.data[i * d + c]!;
  for (let c = 0; c < d; c++) mean[c] /= n;
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) centred[i * d + c] = x.data[i * d + c]! - mean[c]!;
  const cov = gramOfColumns({ data: centred, count: n, dim: d });
  for (let i = 0; i < d * d; i++) cov[i] /= n;
  const { values, vectors } = symmetricEigen(cov, d, { vectors: true });
  const axes: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    const axis = new Float64Array(d);
    if (k < d) {
      let largest = 0;
      for (let c = 0; c < d; c++) {
        axis[c] = vectors![k * d + c]!;
        if (Math.abs(axis[c]!) > Math.abs(largest)) largest = axis[c]!;
      }
      if (largest < 0) for (let c = 0; c < d; c++) axis[c] = -axis[c]!;
    }
    axes.push(axis);
  }
  const points = Array.from({ length: n }, (_, i): [number, number] => {
    let u = 0;
    let v = 0;
    for (let c = 0; c < d; c++) {
      u += centred[i * d + c]! * axes[0]![c]!;
      v += centred[i * d + c]! * axes[1]![c]!;
    }
    return [u, v];
  });
  let total = 0;
  for (const l of values) total += Math.max(0, l);
  const variance: [number, number] = [Math.max(0, values[0] ?? 0), Math.max(0, values[1] ?? 0)];
  return {
    points,
    variance,
    explained: [total ? variance[0] / total : 0, total ? variance[1] / total : 0],
  };
}
