import { afterEach, describe, expect, it } from 'vitest';
import { describeMethod, getMethod, methods } from '../../../src-main/engine/methods';
import { coreMetricKeys } from '../../../src-main/domain';
import { i18n } from '../../../src-renderer/src/i18n';
import { formatMetric, formatWith } from '../../../src-renderer/src/lib/format';
import {
  declareMethodMetrics,
  higherIsBetter,
  isDiagnosticKey,
  metricLabel,
  metricSpec,
  orderCompareKeys,
  orderMetricKeys,
} from '../../../src-renderer/src/lib/metrics';

afterEach(() => {
  i18n.global.locale.value = 'en';
  declareMethodMetrics([]);
});

describe('metric formats', () => {
  it('writes accuracies as percentages, throughput as whole images, the rest as numbers', () => {
    expect(formatMetric('knn_top1', 0.4567)).toBe('45.7%');
    expect(formatMetric('knn_top5', 1)).toBe('100.0%');
    expect(formatMetric('probe_top1', 0.12345)).toBe('12.3%');
    expect(formatMetric('probe_top5', null)).toBe('—');
    expect(formatMetric('images_per_s', 1234.56)).toBe('1235');
    expect(formatMetric('images_per_s', undefined)).toBe('—');
    expect(formatMetric('loss', 2.345678)).toBe('2.346');
    expect(formatMetric('loss', 0)).toBe('0');
    expect(formatMetric('lr', 0.0003)).toBe('3.00e-4');
    expect(formatMetric('lr', 0.3)).toBe('0.3');
    expect(formatMetric('align', 1.23456)).toBe('1.235');
    expect(formatMetric('embedding_dim', 128)).toBe('128');
    expect(formatMetric('effective_rank', 17.891)).toBe('17.89');
    expect(formatMetric('uniform', Number.NaN)).toBe('—');
  });

  it('does not read a key’s name: an unknown key is a number, whatever it contains', () => {
    // The old name rules made "val_acc" a percentage; an undeclared key is now just a number.
    expect(formatMetric('val_acc', 0.5)).toBe('0.5');
    expect(formatMetric('some_counter', 123456)).toBe('1.23e+5');
  });

  it('writes each declared format', () => {
    expect(formatWith({ kind: 'percent', decimals: 2 }, 0.12345)).toBe('12.35%');
    expect(formatWith({ kind: 'fixed', decimals: 2 }, 3.14159)).toBe('3.14');
    expect(formatWith({ kind: 'integer' }, 6.6)).toBe('7');
    expect(formatWith({ kind: 'significant', digits: 3 }, 3.14159)).toBe('3.14');
    expect(formatWith({ kind: 'scientific', decimals: 1 }, 1234)).toBe('1.2e+3');
    expect(formatWith({ kind: 'fixed', decimals: 0 }, Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatWith({ kind: 'percent', decimals: 1 }, Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('metric labels', () => {
  it('labels the core keys from the registry, in the current language, with their unit', () => {
    expect(metricLabel('loss')).toBe('Loss');
    expect(metricLabel('knn_top1')).toBe('kNN top-1 accuracy');
    expect(metricLabel('probe_top1')).toBe('Linear probe top-1');
    expect(metricLabel('pos_sim_mean')).toBe('Positive-pair similarity');
    expect(metricLabel('images_per_s')).toBe('Throughput (images/s)');
    i18n.global.locale.value = 'zh';
    expect(metricLabel('lr')).toBe('学习率');
    expect(metricLabel('effective_rank')).toBe('有效秩');
    expect(metricLabel('images_per_s')).toBe('吞吐量（图像/秒）');
  });

  it('labels a key a method declares once the methods are known, and humanises unknown keys', () => {
    expect(metricLabel('target_decay')).toBe('Target decay');
    declareMethodMetrics(methods.map(describeMethod));
    expect(metricLabel('target_decay')).toBe('Target decay τ');
    expect(metricLabel('loss_ab')).toBe('Bank loss, ab against the L bank');
    i18n.global.locale.value = 'zh';
    expect(metricLabel('teacher_momentum')).toBe('教师动量 λ');
    expect(metricLabel('queue_fill_ratio')).toBe('Queue fill ratio');
  });
});

describe('metric directions, smoothing and order', () => {
  it('knows which way is better for the core keys and none for the rest', () => {
    for (const key of ['knn_top1', 'knn_top5', 'probe_top1', 'probe_top5', 'images_per_s', 'effective_rank'])
      expect([key, higherIsBetter(key)]).toEqual([key, true]);
    for (const key of ['loss', 'align', 'uniform']) expect([key, higherIsBetter(key)]).toEqual([key, false]);
    for (const key of ['lr', 'embedding_std', 'embedding_dim', 'pos_sim_mean', 'neg_sim_mean', 'output_std'])
      expect([key, higherIsBetter(key)]).toEqual([key, null]);
  });

  it('takes a method’s losses as lower-is-better and its schedules as unsmoothed', () => {
    expect(higherIsBetter('instance_loss')).toBeNull();
    declareMethodMetrics([describeMethod(getMethod('wcl')), describeMethod(getMethod('dino'))]);
    expect(higherIsBetter('instance_loss')).toBe(false);
    expect(higherIsBetter('weak_groups')).toBeNull();
    expect(formatMetric('weak_groups', 12)).toBe('12');
    expect(metricSpec('teacher_temperature').smoothable).toBe(false);
    expect(metricSpec('swap_loss').smoothable).toBe(true);
  });

  it('smooths only per-step training values', () => {
    for (const key of ['loss', 'images_per_s', 'unknown_key'])
      expect([key, metricSpec(key).smoothable]).toEqual([key, true]);
    for (const key of [
      'lr',
      'knn_top1',
      'knn_top5',
      'probe_top1',
      'align',
      'embedding_std',
      'effective_rank',
    ])
      expect([key, metricSpec(key).smoothable]).toEqual([key, false]);
  });

  it('orders a run’s keys: the main ones, then alphabetically', () => {
    expect(
      orderMetricKeys(['target_decay', 'knn_top5', 'images_per_s', 'loss', 'align', 'knn_top1', 'lr']),
    ).toEqual(['loss', 'lr', 'knn_top1', 'images_per_s', 'align', 'knn_top5', 'target_decay']);
  });

  it('orders the comparison: main keys, accuracies, diagnostics, then the rest', () => {
    const keys = [
      'weak_groups',
      'images_per_s',
      'neg_sim_mean',
      'embedding_dim',
      'probe_top5',
      'align',
      'swap_loss',
      'knn_top1',
      'loss',
      'pos_sim_mean',
      'effective_rank',
      'representation_dim',
      'lr',
      'uniform',
      'embedding_std',
      'probe_top1',
      'knn_top5',
      'worker_peak_mb',
      'tensor_mb',
      'step_ms',
      'wasm_heap_mb',
      'cpu_percent',
      'worker_rss_mb',
    ];
    // The core keys in the registry's order (test/domain/metrics.test.ts spells it out), then the rest.
    expect(orderCompareKeys(keys)).toEqual([...coreMetricKeys, 'swap_loss', 'weak_groups']);
  });

  it('leaves the diagnostics and the probe to the evaluation section', () => {
    for (const key of ['align', 'embedding_dim', 'probe_top1', 'neg_sim_mean'])
      expect(isDiagnosticKey(key)).toBe(true);
    for (const key of ['loss', 'knn_top5', 'images_per_s', 'output_std'])
      expect(isDiagnosticKey(key)).toBe(false);
  });
});
