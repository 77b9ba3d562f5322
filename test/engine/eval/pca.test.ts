import { describe, expect, it } from 'vitest';
import { pca2d } from '../../../src-main/engine/eval/pca';
import { rowsOf } from '../../../src-main/engine/eval/rows';

describe('PCA to two dimensions', () => {
  it('recovers the axes of a centred cross, whatever its offset', () => {
    // Covariance diag(2, 0.5): the first axis is x, the second y; the mean (10, 5) is removed.
    const { points, variance, explained } = pca2d(
      rowsOf([
        [12, 5],
        [8, 5],
        [10, 6],
        [10, 4],
      ]),
    );
    const expected = [
      [2, 0],
      [-2, 0],
      [0, 1],
      [0, -1],
    ];
    points.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(expected[i]![0]!, 10);
      expect(p[1]).toBeCloseTo(expected[i]![1]!, 10);
    });
    expect(variance[0]).toBeCloseTo(2, 10);
    expect(variance[1]).toBeCloseTo(0.5, 10);
    expect(explained[0]).toBeCloseTo(0.8, 10);
  });

  it('puts points on a line in 3-D onto the first axis, at their distances along it', () => {
    // Points t·(1, 2, 2)/3 for t = −3, 0, 3, 6 (unit direction): centred t − 1.5 along the axis.
    const ts = [-3, 0, 3, 6];
    const { points, explained } = pca2d(rowsOf(ts.map((t) => [t / 3, (2 * t) / 3, (2 * t) / 3])));
    points.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(ts[i]! - 1.5, 10);
      expect(p[1]).toBeCloseTo(0, 10);
    });
    expect(explained[0]).toBeCloseTo(1, 10);
  });

  it('handles one dimension and no rows', () => {
    expect(pca2d(rowsOf([[1], [3]])).points).toEqual([
      [expect.closeTo(-1, 12), 0],
      [expect.closeTo(1, 12), 0],
    ]);
    expect(pca2d({ data: [], count: 0, dim: 4 }).points).toEqual([]);
  });
});
