import type { Rows } from './rows';

/**
 * Nearest-neighbour retrieval by cosine similarity (InstDisc, Wu et al. 2018, fig. 5): a test image's
 * k most similar training images, and the precision of their labels. Features must be L2-normalised,
 * so the dot product is the cosine similarity.
 */

export interface Neighbour {
  /** Row of the key matrix. */
  row: number;
  similarity: number;
}

/**
 * Dot products of queries [from, from + count) with every key row: out[r·keys.count + j]. Four queries
 * share each pass over a key row, which reads the keys a quarter as often (25% faster than one at a time).
 */
export function similarityRows(
  queries: Rows,
  from: number,
  count: number,
  keys: Rows,
  out: Float64Array,
): void {
  if (queries.dim !== keys.dim) throw new Error(`queries have ${queries.dim} dimensions, keys ${keys.dim}`);
  const d = keys.dim;
  const nk = keys.count;
  const q = queries.data;
  const k = keys.data;
  let r = 0;
  for (; r + 3 < count; r += 4) {
    const a = (from + r) * d;
    const b = a + d;
    const c = b + d;
    const e = c + d;
    for (let j = 0; j < nk; j++) {
      const o = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < d; t++) {
        const kv = k[o + t]!;
        s0 += q[a + t]! * kv;
        s1 += q[b + t]! * kv;
        s2 += q[c + t]! * kv;
        s3 += q[e + t]! * kv;
      }
      out[r * nk + j] = s0;
      out[(r + 1) * nk + j] = s1;
      out[(r + 2) * nk + j] = s2;
      out[(r + 3) * nk + j] = s3;
    }
  }
  // The rest one at a time, summing in the same order as above: a query's similarities never depend
  // on which block it fell in.
  for (; r < count; r++) {
    const a = (from + r) * d;
    for (let j = 0; j < nk; j++) {
      const o = j * d;
      let s0 = 0;
      for (let t = 0; t < d; t++) s0 += q[a + t]! * k[o + t]!;
      out[r * nk + j] = s0;
    }
  }
}

/** The k largest of sims[offset, offset + n), largest first (ties: lower row first). */
export function topK(sims: ArrayLike<number>, offset: number, n: number, k: number): Neighbour[] {
  const kk = Math.min(k, n);
  // A sorted list of the best kk so far: O(n · kk) at worst, for the small k of a retrieval view.
  const best: Neighbour[] = [];
  for (let j = 0; j < n; j++) {
    const s = sims[offset + j]!;
    if (best.length === kk && !(s > best[kk - 1]!.similarity)) continue;
    let at = best.length;
    while (at > 0 && s > best[at - 1]!.similarity) at--;
    best.splice(at, 0, { row: j, similarity: s });
    if (best.length > kk) best.pop();
  }
  return best;
}

/** The k rows of `keys` most similar to row `query` of `queries`, most similar first (ties: lower row first). */
export function nearestNeighbours(queries: Rows, query: number, keys: Rows, k: number): Neighbour[] {
  const sims = new Float64Array(keys.count);
  similarityRows(queries, query, 1, keys, sims);
  return topK(sims, 0, keys.count, k);
}

/** Share of `neighbours` whose label equals the query's (0 for an unlabelled query, label −1). */
export function precisionAtK(queryLabel: number, neighbourLabels: ArrayLike<number>): number {
  if (neighbourLabels.length === 0 || queryLabel < 0) return 0;
  let hits = 0;
  for (let i = 0; i < neighbourLabels.length; i++) if (neighbourLabels[i] === queryLabel) hits++;
  return hits / neighbourLabels.length;
}

export interface QueryScore {
  /** Row of the query matrix. */
  row: number;
  precision: number;
  meanSimilarity: number;
}

/** Precision@k and the mean similarity of the k neighbours, for every query. */
export function scoreQueries(
  queries: Rows,
  queryLabels: ArrayLike<number>,
  keys: Rows,
  keyLabels: ArrayLike<number>,
  k: number,
): QueryScore[] {
  const block = 16;
  const sims = new Float64Array(block * keys.count);
  const scores: QueryScore[] = [];
  for (let from = 0; from < queries.count; from += block) {
    const count = Math.min(block, queries.count - from);
    similarityRows(queries, from, count, keys, sims);
    for (let r = 0; r < count; r++) {
      const neighbours = topK(sims, r * keys.count, keys.count, k);
      const labels = neighbours.map((n) => keyLabels[n.row]!);
      const meanSimilarity = neighbours.reduce((s, n) => s + n.similarity, 0) / (neighbours.length || 1);
      scores.push({ row: from + r, precision: precisionAtK(queryLabels[from + r]!, labels), meanSimilarity });
    }
  }
  return scores;
}

/** The `count` worst queries: lowest precision@k first, ties broken by lower mean similarity, then row. */
export function worstQueries(scores: QueryScore[], count: number): QueryScore[] {
  return [...scores]
    .sort((a, b) => a.precision - b.precision || a.meanSimilarity - b.meanSimilarity || a.row - b.row)
    .slice(0, count);
}
