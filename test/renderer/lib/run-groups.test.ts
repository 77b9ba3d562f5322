import { describe, expect, it } from 'vitest';
import { groupRuns } from '../../../src-renderer/src/lib/run-groups';
import { ids, runs } from './run-table-fixture';

describe('runs table grouping', () => {
  it('groups by method, dataset or tag, A to Z, the untagged last, a run under each of its tags', () => {
    const show = (by: 'method' | 'dataset' | 'tag') => groupRuns(runs, by).map((g) => [g.key, ids(g.runs)]);
    expect(show('method')).toEqual([
      ['byol', [2]],
      ['simclr', [1, 3]],
    ]);
    expect(show('dataset')).toEqual([
      ['cifar10', [3]],
      ['synthetic', [1, 2]],
    ]);
    expect(show('tag')).toEqual([
      ['baseline', [1]],
      ['e2e', [1, 2]],
      ['', [3]],
    ]);
  });
});
