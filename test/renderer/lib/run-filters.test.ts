import { describe, expect, it } from 'vitest';
import { applyFilters, parseFilter, type RunFilter } from '../../../src-renderer/src/lib/run-filters';
import { fields, ids, result, runs } from './run-table-fixture';

function filter(text: string): RunFilter {
  const parsed = parseFilter(text, fields);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.code}`);
  return parsed.filter;
}

describe('runs table filters', () => {
  it('filters on config, metric and the run’s own fields', () => {
    expect(ids(applyFilters(runs, [filter('lr > 0.1')], result))).toEqual([1, 3]);
    expect(ids(applyFilters(runs, [filter('method = SimCLR')], result))).toEqual([1, 3]);
    expect(ids(applyFilters(runs, [filter('knn_top1 >= 0.3')], result))).toEqual([1, 2]);
    expect(ids(applyFilters(runs, [filter('knn_top1 >= 40%')], result))).toEqual([2]);
    expect(ids(applyFilters(runs, [filter('tag = e2e'), filter('lr<0.1')], result))).toEqual([2]);
    expect(ids(applyFilters(runs, [filter('tag != baseline')], result))).toEqual([2, 3]);
    expect(ids(applyFilters(runs, [filter('name ~ N 3')], result))).toEqual([3]);
    expect(ids(applyFilters(runs, [filter('aug.crop = 0.2')], result))).toEqual([1]);
    expect(ids(applyFilters(runs, [filter('status != completed')], result))).toEqual([3]);
    expect(ids(applyFilters(runs, [filter('id <= 2')], result))).toEqual([1, 2]);
    // A run without the field passes no comparison, != included.
    expect(ids(applyFilters(runs, [filter('temperature != 0.2')], result))).toEqual([1]);
    // The stopped run's kNN is of the random initialisation: not its result, so nothing to compare.
    expect(ids(applyFilters(runs, [filter('knn_top1 < 0.2')], result))).toEqual([]);
  });

  it('writes each filter back one way, and tells config from metric where a name is both', () => {
    expect(filter('  lr>0.1 ').text).toBe('lr > 0.1');
    expect(filter('config.lr>=0.1').text).toBe('lr >= 0.1');
    expect(filter('knn_top1>=30%').text).toBe('knn_top1 >= 30%');
    // A metric of a config field's name keeps its kind, so the chip means what was typed.
    expect(filter('metric.lr > 0.1')).toMatchObject({
      field: { kind: 'metric', key: 'lr' },
      text: 'metric.lr > 0.1',
    });
    expect(parseFilter('metric.lr > 0.1', fields, false)).toMatchObject({
      filter: { text: 'metric.lr > 0.1' },
    });
    expect(filter('Tags = "two words"')).toMatchObject({
      field: { kind: 'run', key: 'tag' },
      value: 'two words',
    });
    expect(filter('probe_top1 > 35%').number).toBeCloseTo(0.35, 12);
  });

  it('refuses a malformed filter with what is wrong', () => {
    const error = (text: string) => {
      const parsed = parseFilter(text, fields);
      return parsed.ok ? null : parsed.error;
    };
    expect(error('   ')).toEqual({ code: 'empty' });
    expect(error('lr 0.1')).toEqual({ code: 'noOperator', text: 'lr 0.1' });
    expect(error('> 0.1')).toEqual({ code: 'noField', text: '> 0.1' });
    expect(error('lr >')).toEqual({ code: 'noValue', field: 'lr' });
    expect(error('lrr > 0.1')).toEqual({ code: 'unknownField', field: 'lrr' });
    expect(error('learning rate > 0.1')).toEqual({ code: 'unknownField', field: 'learning rate' });
    expect(error('lr > high')).toEqual({ code: 'notNumber', field: 'lr', operator: '>', value: 'high' });
    expect(error('knn_top1 = good')).toMatchObject({ code: 'notNumber' });
    expect(error('method > simclr')).toEqual({ code: 'textOperator', field: 'method', operator: '>' });
    expect(error('knn_top1 ~ 3')).toEqual({ code: 'containsNumber', field: 'knn_top1' });
    expect(error('loss > 30%')).toMatchObject({ code: 'notNumber', value: '30%' });
    // A saved view's filter on a field no run has now is kept (as a config field).
    expect(parseFilter('lrr > 0.1', fields, false)).toMatchObject({ ok: true });
  });
});
