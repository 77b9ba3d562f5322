import { describe, expect, it } from 'vitest';
import { alignment, uniformity } from '../../../src-main/engine/eval/align-uniform';
import { collapseCheck } from '../../../src-main/domain';
import { effectiveRank, effectiveRankFromGram, embeddingStd } from '../../../src-main/engine/eval/collapse';
import { symmetricEigen } from '../../../src-main/engine/eval/symmetric-eigen';
import { gramOfColumns, rows, rowsOf } from '../../../src-main/engine/eval/rows';
import { histogram, pairSimilarities } from '../../../src-main/engine/eval/similarity';
import { Rng } from '../../../src-main/engine/util/rng';

/** Unit vectors at the given angles (degrees) in the plane. */
const circle = (...degrees: number[]) =>
  rowsOf(degrees.map((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]));

/** A random orthogonal d×d matrix (rows orthonormal), from Gram–Schmidt on Gaussian rows. */
function randomOrthonormal(d: number, rng: Rng): number[][] {
  const out: number[][] = [];
  while (out.length < d) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (const u of out) {
      const dot = u.reduce((s, x, i) => s + x * v[i]!, 0);
      u.forEach((x, i) => (v[i]! -= dot * x));
    }
    const norm = Math.hypot(...v);
    out.push(v.map((x) => x / norm));
  }
  return out;
}

describe('alignment and uniformity (Wang & Isola 2020, eq. 4–5)', () => {
  it('alignment is the mean squared distance between the two views of each image', () => {
    // ‖(1,0) − (1,0)‖² = 0 and ‖(0,1) − (1,0)‖² = 2: mean 1.
    const a = rowsOf([
      [1, 0],
      [0, 1],
    ]);
    const b = rowsOf([
      [1, 0],
      [1, 0],
    ]);
    expect(alignment(a, b)).toBeCloseTo(1, 12);
    // α = 1: mean distance (0 + √2)/2.
    expect(alignment(a, b, 1)).toBeCloseTo(Math.SQRT2 / 2, 12);
    expect(alignment(a, a)).toBe(0);
  });

  it('uniformity is log of the mean Gaussian potential over distinct pairs', () => {
    // Two antipodal points: ‖x − y‖² = 4, log e^(−2·4) = −8.
    expect(uniformity(circle(0, 180))).toBeCloseTo(-8, 12);
    // Three points 120° apart: every ‖x − y‖² = 3, so −6.
    expect(uniformity(circle(90, 210, 330))).toBeCloseTo(-6, 12);
    // Four points 90° apart: 4 neighbouring pairs at ‖·‖² = 2, 2 opposite at 4 → log((4e^−4 + 2e^−8)/6).
    expect(uniformity(circle(0, 90, 180, 270))).toBeCloseTo(-4.396348967229015, 10);
    // A collapsed embedding: every distance 0, log 1 = 0, the worst value.
    expect(uniformity(circle(30, 30, 30))).toBeCloseTo(0, 12);
    // t scales the exponent: antipodal points with t = 1 give −4.
    expect(uniformity(circle(0, 180), 1)).toBeCloseTo(-4, 12);
  });
});

describe('collapse diagnostics', () => {
  it('embedding std: per-dimension std of the L2-normalised rows, averaged', () => {
    // Rows (1,0) and (0,1): each dimension takes 1 and 0, population std 0.5.
    expect(
      embeddingStd(
        rowsOf([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toBeCloseTo(0.5, 12);
    // Rows are normalised first: (2,0) and (0,3) are the same points.
    expect(
      embeddingStd(
        rowsOf([
          [2, 0],
          [0, 3],
        ]),
      ),
    ).toBeCloseTo(0.5, 12);
  });

  it('a collapsed embedding (all rows equal) has std 0, effective rank 1, and is flagged', () => {
    const collapsed = rowsOf(Array.from({ length: 6 }, () => [0.6, 0.8, 0, 0]));
    const std = embeddingStd(collapsed);
    const rank = effectiveRank(collapsed);
    expect(std).toBeCloseTo(0, 12);
    // σ = (√6, 0, 0, 0): p = (1 + ε, ε, ε, ε), entropy ≈ 0.
    expect(rank).toBeCloseTo(1, 4);
    expect(collapseCheck(std, 4, rank).collapsing).toBe(true);
  });

  it('an orthonormal embedding has effective rank d', () => {
    const d = 8;
    // The identity, and a random rotation of it: all singular values 1.
    const identity = rowsOf(
      Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => +(i === j))),
    );
    expect(effectiveRank(identity)).toBeCloseTo(d, 4);
    const rotated = rowsOf(randomOrthonormal(d, new Rng(3)));
    expect(effectiveRank(rotated)).toBeCloseTo(d, 4);
    // Healthy: std·√d of the identity rows is √d·√(1/d − 1/d²) ≈ 0.94, rank d.
    expect(collapseCheck(embeddingStd(identity), d, effectiveRank(identity)).collapsing).toBe(false);
  });

  it('effective rank from unequal singular values, by hand', () => {
    // Rows (3,0), (0,1): σ = (3, 1), p = (0.75, 0.25), exp(−0.75 ln 0.75 − 0.25 ln 0.25) = 1.75477.
    expect(
      effectiveRank(
        rowsOf([
          [3, 0],
          [0, 1],
        ]),
      ),
    ).toBeCloseTo(1.7547653506, 5);
    // Rows (1,0), (1,0), (0,1): ZᵀZ = diag(2, 1), σ = (√2, 1), p = (√2, 1)/(1 + √2) → 1.97063.
    const z = rowsOf([
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(effectiveRank(z)).toBeCloseTo(1.9706343149, 5);
    expect(effectiveRankFromGram([2, 0, 0, 1], 2)).toBeCloseTo(1.9706343149, 5);
  });

  it('flags a low std alone and a low rank alone', () => {
    // std·√d = 0.01·10 = 0.1 < 0.2.
    expect(collapseCheck(0.01, 100, 50).collapsing).toBe(true);
    expect(collapseCheck(0.1, 100, 50).collapsing).toBe(false);
    expect(collapseCheck(0.1, 100, 1.5).collapsing).toBe(true);
  });
});

describe('symmetric eigen-decomposition', () => {
  it('finds the eigenpairs of small matrices known by hand', () => {
    // [[2,1],[1,2]]: 3 along (1,1)/√2, 1 along (1,−1)/√2.
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2, { vectors: true });
    expect(Array.from(values)).toEqual([expect.closeTo(3, 12), expect.closeTo(1, 12)]);
    // Row k is the eigenvector of values[k], up to sign.
    expect(Math.abs(vectors![0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors![0]! * vectors![1]!).toBeCloseTo(0.5, 12);
    expect(vectors![2]! * vectors![3]!).toBeCloseTo(-0.5, 12);
    // Tridiagonal [[4,1,0],[1,4,1],[0,1,4]]: 4 + √2, 4, 4 − √2.
    const tri = symmetricEigen([4, 1, 0, 1, 4, 1, 0, 1, 4], 3).values;
    expect(tri[0]).toBeCloseTo(4 + Math.SQRT2, 12);
    expect(tri[1]).toBeCloseTo(4, 12);
    expect(tri[2]).toBeCloseTo(4 - Math.SQRT2, 12);
  });

  it('satisfies A v = λ v with orthonormal v on a random 24×24 Gram matrix', () => {
    const rng = new Rng(7);
    const n = 40;
    const d = 24;
    const x = rows(
      Float64Array.from({ length: n * d }, () => rng.normal()),
      n,
      d,
    );
    const a = gramOfColumns(x);
    const { values, vectors } = symmetricEigen(a, d, { vectors: true });
    let trace = 0;
    for (let i = 0; i < d; i++) trace += a[i * d + i]!;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 8);
    for (let k = 0; k < d; k++) {
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let j = 0; j < d; j++) av += a[i * d + j]! * vectors![k * d + j]!;
        expect(av).toBeCloseTo(values[k]! * vectors![k * d + i]!, 8);
      }
      for (let l = 0; l < d; l++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += vectors![k * d + i]! * vectors![l * d + i]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 10);
      }
      if (k > 0) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
    }
    // The values alone agree with the values computed with vectors.
    const alone = symmetricEigen(a, d).values;
    for (let k = 0; k < d; k++) expect(alone[k]).toBeCloseTo(values[k]!, 8);
  });

  it('handles repeated eigenvalues, a zero matrix and a diagonal one', () => {
    expect(Array.from(symmetricEigen(new Float64Array(9), 3).values)).toEqual([0, 0, 0]);
    expect(Array.from(symmetricEigen([1, 0, 0, 0, 3, 0, 0, 0, 2], 3).values)).toEqual([3, 2, 1]);
    // The identity's eigenvectors are any orthonormal basis: check V Vᵀ = I.
    const { values, vectors } = symmetricEigen([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, { vectors: true });
    expect(Array.from(values)).toEqual([1, 1, 1]);
    for (let k = 0; k < 3; k++) {
      for (let l = 0; l < 3; l++) {
        let dot = 0;
        for (let i = 0; i < 3; i++) dot += vectors![k * 3 + i]! * vectors![l * 3 + i]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 12);
      }
    }
  });
});

describe('positive and negative similarities', () => {
  it('pairs row i with row i as positives and every i ≠ j as negatives', () => {
    const a = rowsOf([
      [1, 0],
      [0, 1],
    ]);
    const b = rowsOf([
      [0.6, 0.8],
      [-2, 0],
    ]);
    const { positive, negative } = pairSimilarities(a, b);
    // cos((1,0),(0.6,0.8)) = 0.6; cos((0,1),(−1,0)) = 0; negatives cos((1,0),(−1,0)) = −1, cos((0,1),(0.6,0.8)) = 0.8.
    expect(Array.from(positive)).toEqual([expect.closeTo(0.6, 12), expect.closeTo(0, 12)]);
    expect(Array.from(negative)).toEqual([expect.closeTo(-1, 12), expect.closeTo(0.8, 12)]);
  });

  it('bins values into 40 fractions over [−1, 1], the ends included', () => {
    // Bin width 0.05: −1 and −0.96 → bin 0, 0 → bin 20, 0.999 and 1 → bin 39.
    const h = histogram([-1, -0.96, 0, 0.999, 1]);
    expect(h).toHaveLength(40);
    expect(h[0]).toBeCloseTo(0.4, 12);
    expect(h[20]).toBeCloseTo(0.2, 12);
    expect(h[39]).toBeCloseTo(0.4, 12);
    expect(h.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(h.filter((v) => v > 0)).toHaveLength(3);
    expect(histogram([], 4)).toEqual([0, 0, 0, 0]);
  });
});
