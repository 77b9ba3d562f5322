import { describe, expect, it } from 'vitest';
import {
  configKeysOf,
  defaultColumns,
  metricKeysOf,
  parseColumn,
  sortRuns,
  sortsDescendingFirst,
  withColumn,
  withoutColumn,
} from '../../../src-renderer/src/lib/run-columns';
import { ctx, ids, runs } from './run-table-fixture';

describe('runs table columns', () => {
  it('offers every config field (nested ones dotted, each method’s own) and every metric of the runs', () => {
    expect(configKeysOf(runs)).toEqual(['aug.crop', 'batchSize', 'lr', 'targetDecay', 'temperature']);
    expect(metricKeysOf(runs)).toEqual(['cpu_percent', 'knn_top1', 'loss', 'probe_top1']);
    expect(defaultColumns.map(parseColumn).every((c) => c !== null)).toBe(true);
    expect(parseColumn('metric.probe_top1')).toEqual({ kind: 'metric', key: 'probe_top1' });
    expect(parseColumn('config.aug.crop')).toEqual({ kind: 'config', key: 'aug.crop' });
    expect(parseColumn('config.')).toBeNull();
    expect(parseColumn('colour')).toBeNull();
  });

  it('sorts by any column with missing values last both ways, and never by a random-init kNN', () => {
    const probe = parseColumn('metric.probe_top1')!;
    expect(ids(sortRuns(runs, probe, true, ctx))).toEqual([1, 3, 2]);
    expect(ids(sortRuns(runs, probe, false, ctx))).toEqual([1, 3, 2]);
    const knn = parseColumn('metric.knn_top1')!;
    expect(ids(sortRuns(runs, knn, true, ctx))).toEqual([2, 1, 3]);
    expect(ids(sortRuns(runs, knn, false, ctx))).toEqual([1, 2, 3]);
    const decay = parseColumn('config.targetDecay')!;
    expect(ids(sortRuns(runs, decay, false, ctx))).toEqual([2, 3, 1]);
    expect(ids(sortRuns(runs, parseColumn('config.lr')!, false, ctx))).toEqual([2, 1, 3]);
    expect(ids(sortRuns(runs, parseColumn('dataset')!, false, ctx))).toEqual([3, 2, 1]);
    // Ties by id, newest first.
    expect(ids(sortRuns(runs, parseColumn('config.batchSize')!, false, ctx))).toEqual([3, 1, 2]);
  });

  it('sorts metrics where higher is better best first, the rest smallest first', () => {
    const higher = (key: string) => (key === 'knn_top1' ? true : key === 'loss' ? false : null);
    expect(sortsDescendingFirst(parseColumn('metric.knn_top1')!, higher)).toBe(true);
    expect(sortsDescendingFirst(parseColumn('metric.loss')!, higher)).toBe(false);
    expect(sortsDescendingFirst(parseColumn('config.lr')!, higher)).toBe(false);
    expect(sortsDescendingFirst(parseColumn('created')!, higher)).toBe(true);
  });
});

describe('choosing columns', () => {
  it('puts a column beside its kind and keeps the name', () => {
    const base = ['id', 'name', 'config.lr', 'metric.loss', 'duration'];
    expect(withColumn(base, 'config.temperature')).toEqual([
      'id',
      'name',
      'config.lr',
      'config.temperature',
      'metric.loss',
      'duration',
    ]);
    expect(withColumn(base, 'metric.probe_top1')).toEqual([
      'id',
      'name',
      'config.lr',
      'metric.loss',
      'metric.probe_top1',
      'duration',
    ]);
    expect(withColumn(['id', 'name', 'duration'], 'metric.probe_top1')).toEqual([
      'id',
      'name',
      'metric.probe_top1',
      'duration',
    ]);
    expect(withColumn(base, 'status')).toEqual([
      'id',
      'name',
      'status',
      'config.lr',
      'metric.loss',
      'duration',
    ]);
    expect(withColumn(['name'], 'id')).toEqual(['id', 'name']);
    expect(withColumn(base, 'config.lr')).toEqual(base);
    expect(withColumn(base, 'bogus')).toEqual(base);
    expect(withoutColumn(base, 'config.lr')).toEqual(['id', 'name', 'metric.loss', 'duration']);
    expect(withoutColumn(base, 'name')).toEqual(base);
  });
});
