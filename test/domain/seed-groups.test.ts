import { describe, expect, it } from 'vitest';
import { groupBySeed, meanStd, seedGroupKey, type Run } from '../../src-main/domain';

type Config = Pick<Run, 'method' | 'dataset' | 'config'>;
const run = (id: number, config: Record<string, unknown>, extra: Partial<Config> = {}): Run =>
  ({
    id,
    method: 'simclr',
    dataset: { id: 'synthetic', trainSize: 256 },
    config,
    ...extra,
  }) as Run;

describe('seed groups', () => {
  it('groups runs whose configs differ only in the seed, whatever the order of their keys', () => {
    const runs = [
      run(1, { lr: 0.5, seed: 0, aug: { crop: 0.08, jitter: 0.8 } }),
      run(2, { seed: 1, aug: { jitter: 0.8, crop: 0.08 }, lr: 0.5 }),
      run(3, { lr: 0.25, seed: 0, aug: { crop: 0.08, jitter: 0.8 } }),
      run(4, { aug: { crop: 0.08, jitter: 0.8 }, lr: 0.5, seed: 7 }),
    ];
    expect(seedGroupKey(runs[0]!)).toBe(seedGroupKey(runs[1]!));
    expect(groupBySeed(runs).map((g) => [g.runIds, g.seeds])).toEqual([
      [
        [1, 2, 4],
        [0, 1, 7],
      ],
      [[3], [0]],
    ]);
  });

  it('never merges different methods, datasets, subsets or configs', () => {
    const base = { lr: 0.5, seed: 0 };
    const runs = [
      run(1, base),
      run(2, { ...base, seed: 1 }, { method: 'byol' }),
      run(3, { ...base, seed: 2 }, { dataset: { id: 'cifar10', trainSize: 256 } }),
      run(4, { ...base, seed: 3 }, { dataset: { id: 'synthetic', trainSize: 512 } }),
      run(5, { ...base, seed: 4, lr: 0.5000001 }),
      run(6, { ...base, seed: 5, extra: true }),
      // An array's order is part of the config.
      run(7, { ...base, seed: 6, schedule: [1, 2] }),
      run(8, { ...base, seed: 7, schedule: [2, 1] }),
      // A string "0.5" is not the number 0.5.
      run(9, { lr: '0.5', seed: 8 }),
    ];
    const groups = groupBySeed(runs);
    expect(groups).toHaveLength(runs.length);
    expect(new Set(groups.map((g) => g.key)).size).toBe(runs.length);
  });

  it('reads a missing seed as 0', () => {
    const [group] = groupBySeed([run(1, { lr: 0.5 }), run(2, { lr: 0.5, seed: 3 })]);
    expect(group).toMatchObject({ runIds: [1, 2], seeds: [0, 3] });
  });
});

describe('mean ± std', () => {
  it('is the mean and the sample standard deviation (n − 1)', () => {
    const m = meanStd([2, 4, 4, 4, 5, 5, 7, 9])!;
    expect(m.n).toBe(8);
    expect(m.mean).toBe(5);
    // Σ(x − 5)² = 32; the population std would be 2, the sample std is √(32/7).
    expect(m.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    const two = meanStd([0.7, 0.74])!;
    expect(two.mean).toBeCloseTo(0.72, 12);
    expect(two.std).toBeCloseTo(Math.abs(0.74 - 0.7) / Math.SQRT2, 12);
  });

  it('gives std 0 for one value, skips values that are not finite, and null for none', () => {
    expect(meanStd([0.5])).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(meanStd([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toEqual({ mean: 2, std: Math.SQRT2, n: 2 });
    expect(meanStd([])).toBeNull();
    expect(meanStd([Number.NaN])).toBeNull();
  });
});
