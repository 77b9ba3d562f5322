/**
 * Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm (Bowdler, Martin, Reinsch & Wilkinson, Handbook for Automatic Computation vol. II,
 * procedures tred2 and tql2; EISPACK, and the public-domain JAMA port). tfjs has no SVD or eigen-solver;
 * the matrices here are d×d Gram or covariance matrices of embeddings. O(d³): 0.1 s at d = 512, where
 * cyclic Jacobi took 9 s here. The eigenvectors are kept transposed (one per row), so every inner loop
 * walks memory in order.
 */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Row k (n values from k·n) is the unit eigenvector of values[k]; null unless asked for. */
  vectors: Float64Array | null;
}

export function symmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
  options: { vectors?: boolean } = {},
): SymmetricEigen {
  if (matrix.length !== n * n) {
    throw new Error(`an ${n}×${n} matrix needs ${n * n} values, got ${matrix.length}`);
  }
  if (n === 0) return { values: new Float64Array(0), vectors: options.vectors ? new Float64Array(0) : null };
  // w[j·n + k] = V[k][j]: V is the matrix being reduced (then the accumulated transformation), stored by
  // columns. A Gram matrix from a float32 matMul is symmetric only up to rounding: average the halves.
  const w = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) w[p * n + q] = 0.5 * (matrix[p * n + q]! + matrix[q * n + p]!);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const wantVectors = options.vectors ?? false;
  tridiagonalize(w, d, e, n, wantVectors);
  tridiagonalQl(w, d, e, n, wantVectors);

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  let vectors: Float64Array | null = null;
  if (wantVectors) {
    vectors = new Float64Array(n * n);
    order.forEach((src, dst) => vectors!.set(w.subarray(src * n, src * n + n), dst * n));
  }
  return { values, vectors };
}

/** tred2: A = Q T Qᵀ with T tridiagonal (diagonal d, sub-diagonal e[1..n−1]); Q left in w when asked for. */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean) {
  const V = (row: number, col: number) => w[col * n + row]!;
  for (let j = 0; j < n; j++) d[j] = V(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    // Scale the row to avoid under- and overflow.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V(i - 1, j);
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      // The Householder vector u (in d) that zeroes row i left of the sub-diagonal.
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // p = A u / h (in e), using the lower triangle of A.
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        w[i * n + j] = f;
        g = e[j]! + V(j, j) * f;
        const col = j * n;
        for (let k = j + 1; k <= i - 1; k++) {
          g += w[col + k]! * d[k]!;
          e[k] = e[k]! + w[col + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      // q = p − (uᵀp / 2h) u, then A ← A − u qᵀ − q uᵀ.
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const col = j * n;
        for (let k = j; k <= i - 1; k++) w[col + k] = w[col + k]! - (f * e[k]! + g * d[k]!);
        d[j] = V(i - 1, j);
        w[j * n + i] = 0;
      }
    }
    d[i] = h;
  }

  if (!wantVectors) {
    // The reduced matrix's diagonal; the Householder vectors are not needed.
    for (let j = 0; j < n; j++) d[j] = w[j * n + j]!;
    e[0] = 0;
    return;
  }
  // Accumulate the transformations into Q.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i]!;
    w[i * n + i] = 1;
    const h = d[i + 1]!;
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[next + k]! / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[next + k]! * w[col + k]!;
        for (let k = 0; k <= i; k++) w[col + k] = w[col + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) w[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1]!;
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** tql2: eigenvalues of the tridiagonal (d, e) into d, with implicit shifts; rotations applied to w's rows. */
function tridiagonalQl(w: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean) {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    // Find a negligible sub-diagonal element: d[l] is an eigenvalue once e[l] is.
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; ; iter++) {
        if (iter > 60) throw new Error('symmetric eigenvalues did not converge');
        // Wilkinson-style implicit shift from the leading 2×2 block.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        // Implicit QL sweep from m − 1 up to l.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (wantVectors) {
            const a = i * n;
            const b = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const t = w[b + k]!;
              w[b + k] = s * w[a + k]! + c * t;
              w[a + k] = c * w[a + k]! - s * t;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
