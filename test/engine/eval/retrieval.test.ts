import { describe, expect, it } from 'vitest';
import {
  nearestNeighbours,
  precisionAtK,
  scoreQueries,
  similarityRows,
  worstQueries,
} from '../../../src-main/engine/eval/retrieval';
import { dotRows, l2NormalizeRows, rows, rowsOf } from '../../../src-main/engine/eval/rows';
import { Rng } from '../../../src-main/engine/util/rng';

const circle = (...degrees: number[]) =>
  rowsOf(degrees.map((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]));
const cos = (degrees: number) => Math.cos((degrees * Math.PI) / 180);

// Training images on the unit circle (angles in degrees) with labels; cosine similarity is cos(Δangle).
const keys = circle(0, 10, 20, 90, 100, 180);
const keyLabels = [0, 0, 1, 1, 1, 2];
// Test queries: at 5° (label 0), 93° (label 1), 170° (label 0), 45° (label 2).
const queries = circle(5, 93, 170, 45);
const queryLabels = [0, 1, 0, 2];

describe('retrieval', () => {
  it('finds the known nearest neighbours, most similar first, ties by lower index', () => {
    // 5°: 0° and 10° tie at cos 5°, then 20° at cos 15°.
    expect(nearestNeighbours(queries, 0, keys, 3)).toEqual([
      { row: 0, similarity: expect.closeTo(cos(5), 12) },
      { row: 1, similarity: expect.closeTo(cos(5), 12) },
      { row: 2, similarity: expect.closeTo(cos(15), 12) },
    ]);
    // 170°: 180°, then 100°, then 90°.
    expect(nearestNeighbours(queries, 2, keys, 3).map((n) => n.row)).toEqual([5, 4, 3]);
    // k larger than the training set: all of it, in order (93°: 3°, 7°, 73°, 83°, 87°, 93° away).
    expect(nearestNeighbours(queries, 1, keys, 10).map((n) => n.row)).toEqual([3, 4, 2, 1, 5, 0]);
  });

  it('precision@k is the share of neighbours with the query label', () => {
    expect(precisionAtK(1, [1, 1, 2, 1])).toBe(0.75);
    expect(precisionAtK(0, [])).toBe(0);
    expect(precisionAtK(-1, [-1, -1])).toBe(0);
  });

  it('ranks queries worst first by precision@3, ties by lower mean similarity', () => {
    const scores = scoreQueries(queries, queryLabels, keys, keyLabels, 3);
    // 5° → labels 0,0,1: 2/3. 93° → 90°,100°,20°: 1,1,1: 1. 170° → 2,1,1: 0. 45° → 20°,10°,0°: 1,0,0 vs label 2: 0.
    expect(scores.map((s) => s.precision)).toEqual([2 / 3, 1, 0, 0].map((p) => expect.closeTo(p, 12)));
    expect(scores[2]!.meanSimilarity).toBeCloseTo((cos(10) + cos(70) + cos(80)) / 3, 12);
    expect(scores[3]!.meanSimilarity).toBeCloseTo((cos(25) + cos(35) + cos(45)) / 3, 12);
    // Both at precision 0: the 170° query has the lower mean similarity (0.50 < 0.81).
    expect(worstQueries(scores, 3).map((s) => s.row)).toEqual([2, 3, 0]);
    expect(worstQueries(scores, 10)).toHaveLength(4);
  });

  it('gives every query the same similarities whether scored in a block of four or alone', () => {
    const rng = new Rng(5);
    const random = (n: number, d: number) =>
      l2NormalizeRows(
        rows(
          Float32Array.from({ length: n * d }, () => rng.normal()),
          n,
          d,
        ),
      );
    const q = random(23, 10);
    const k = random(40, 10);
    const block = new Float64Array(23 * 40);
    similarityRows(q, 0, 23, k, block);
    for (let i = 0; i < 23; i++) {
      const alone = new Float64Array(40);
      similarityRows(q, i, 1, k, alone);
      expect(Array.from(block.subarray(i * 40, (i + 1) * 40))).toEqual(Array.from(alone));
      for (let j = 0; j < 40; j++) expect(alone[j]).toBeCloseTo(dotRows(q, i, k, j), 12);
    }
    // Across scoreQueries' blocks of 16: the same neighbours as one query at a time.
    const labels = Array.from({ length: 40 }, (_, j) => j % 3);
    const scores = scoreQueries(
      q,
      Array.from({ length: 23 }, (_, i) => i % 3),
      k,
      labels,
      7,
    );
    scores.forEach((s, i) => {
      const n = nearestNeighbours(q, i, k, 7);
      expect(s.row).toBe(i);
      expect(s.precision).toBe(
        precisionAtK(
          i % 3,
          n.map((x) => labels[x.row]!),
        ),
      );
      expect(s.meanSimilarity).toBeCloseTo(n.reduce((t, x) => t + x.similarity, 0) / 7, 12);
    });
  });
});
