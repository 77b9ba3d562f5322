/**
 * A matrix of embeddings as the evaluation functions take it: `count` rows of `dim` numbers, row-major.
 * Plain typed arrays, so the same code runs in the run worker (features read back from tfjs) and in the
 * engine host (embeddings read from the store), and tests can build inputs by hand.
 */
export interface Rows {
  data: ArrayLike<number>;
  count: number;
  dim: number;
}

export function rows(data: ArrayLike<number>, count: number, dim: number): Rows {
  if (data.length !== count * dim) {
    throw new Error(`${count} rows of ${dim} values need ${count * dim} numbers, got ${data.length}`);
  }
  return { data, count, dim };
}

/** Rows from nested arrays (tests and small inputs). */
export function rowsOf(values: number[][]): Rows {
  const dim = values[0]?.length ?? 0;
  if (values.some((r) => r.length !== dim)) throw new Error('rows of different lengths');
  return rows(Float64Array.from(values.flat()), values.length, dim);
}

/** Dot product of row i of `a` and row j of `b`. */
export function dotRows(a: Rows, i: number, b: Rows, j: number): number {
  const d = a.dim;
  const x = a.data;
  const y = b.data;
  const oi = i * d;
  const oj = j * d;
  // Four partial sums: about twice as fast in V8 as one (retrieval does millions of these).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < d; c += 4) {
    s0 += x[oi + c]! * y[oj + c]!;
    s1 += x[oi + c + 1]! * y[oj + c + 1]!;
    s2 += x[oi + c + 2]! * y[oj + c + 2]!;
    s3 += x[oi + c + 3]! * y[oj + c + 3]!;
  }
  for (; c < d; c++) s0 += x[oi + c]! * y[oj + c]!;
  return s0 + s1 + s2 + s3;
}

/** Each row divided by its Euclidean norm (zero rows stay zero), as float64. */
export function l2NormalizeRows(x: Rows): Rows {
  const out = new Float64Array(x.count * x.dim);
  for (let i = 0; i < x.count; i++) {
    const norm = Math.sqrt(dotRows(x, i, x, i));
    const scale = norm > 1e-12 ? 1 / norm : 0;
    for (let c = 0; c < x.dim; c++) out[i * x.dim + c] = x.data[i * x.dim + c]! * scale;
  }
  return { data: out, count: x.count, dim: x.dim };
}

/** XᵀX, the d×d Gram matrix of the columns (float64, row-major). */
export function gramOfColumns(x: Rows): Float64Array {
  const d = x.dim;
  const g = new Float64Array(d * d);
  const data = x.data;
  for (let i = 0; i < x.count; i++) {
    const o = i * d;
    for (let p = 0; p < d; p++) {
      const v = data[o + p]!;
      if (v === 0) continue;
      const row = p * d;
      for (let q = p; q < d; q++) g[row + q] += v * data[o + q]!;
    }
  }
  for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) g[p * d + q] = g[q * d + p]!;
  return g;
}
