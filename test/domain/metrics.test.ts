import { describe, expect, it } from 'vitest';
import {
  coreMetricKeys,
  defaultFineTuneEpochs,
  describeMetric,
  diagnosticKeys,
  fineTuneMetricKey,
  fineTuneShareOfKey,
  headlineMetricKeys,
  lossMetric,
  scheduleMetric,
  type MetricDirection,
} from '../../src-main/domain';

describe('metric registry', () => {
  it('declares the keys the training loop writes for every method, in the comparison order', () => {
    expect(coreMetricKeys).toEqual([
      'loss',
      'lr',
      'knn_top1',
      'knn_top5',
      'probe_top1',
      'probe_top5',
      'align',
      'uniform',
      'embedding_std',
      'embedding_dim',
      'effective_rank',
      'representation_dim',
      'pos_sim_mean',
      'neg_sim_mean',
      'images_per_s',
      'worker_peak_mb',
      'cpu_percent',
      'step_ms',
      'worker_rss_mb',
      'tensor_mb',
      'wasm_heap_mb',
    ]);
    expect(headlineMetricKeys).toEqual(['loss', 'lr', 'knn_top1', 'images_per_s']);
    // The evaluation section's keys: the per-evaluation diagnostics and the linear probe.
    expect([...diagnosticKeys].sort()).toEqual(
      [
        'align',
        'uniform',
        'embedding_std',
        'embedding_dim',
        'effective_rank',
        'representation_dim',
        'pos_sim_mean',
        'neg_sim_mean',
        'probe_top1',
        'probe_top5',
      ].sort(),
    );
  });

  it('gives each core key its direction', () => {
    const directions: Record<string, MetricDirection> = {
      loss: 'lower',
      lr: 'neither',
      knn_top1: 'higher',
      knn_top5: 'higher',
      probe_top1: 'higher',
      probe_top5: 'higher',
      // Both minimised (Wang & Isola 2020).
      align: 'lower',
      uniform: 'lower',
      // Best near 1/√d, not at either end.
      embedding_std: 'neither',
      embedding_dim: 'neither',
      // RankMe: higher goes with better downstream accuracy.
      effective_rank: 'higher',
      representation_dim: 'neither',
      pos_sim_mean: 'neither',
      neg_sim_mean: 'neither',
      images_per_s: 'higher',
      worker_peak_mb: 'lower',
      // How busy the cores are is neither good nor bad; time and memory are better low.
      cpu_percent: 'neither',
      step_ms: 'lower',
      worker_rss_mb: 'lower',
      tensor_mb: 'lower',
      wasm_heap_mb: 'lower',
    };
    expect(Object.keys(directions).sort()).toEqual([...coreMetricKeys].sort());
    for (const key of coreMetricKeys)
      expect([key, describeMetric(key).direction]).toEqual([key, directions[key]]);
  });

  it('describes formats, cadence, smoothing and chart groups of the core keys', () => {
    expect(describeMetric('knn_top1')).toMatchObject({
      label: { en: 'kNN top-1 accuracy', zh: 'kNN top-1 准确率' },
      format: { kind: 'percent', decimals: 1 },
      smoothable: false,
      cadence: 'epoch',
      group: 'knn',
    });
    expect(describeMetric('probe_top5')).toMatchObject({ format: { kind: 'percent' }, group: 'probe' });
    expect(describeMetric('loss')).toMatchObject({
      format: { kind: 'significant', digits: 4 },
      smoothable: true,
      cadence: 'step',
      group: 'training',
    });
    // A schedule's curve is the schedule: never smoothed.
    expect(describeMetric('lr')).toMatchObject({ smoothable: false, cadence: 'step' });
    expect(describeMetric('images_per_s')).toMatchObject({
      label: { en: 'Throughput', zh: '吞吐量' },
      unit: { en: 'images/s', zh: '图像/秒' },
      format: { kind: 'fixed', decimals: 0 },
      group: 'throughput',
    });
    expect(describeMetric('embedding_dim').format).toEqual({ kind: 'integer' });
    for (const key of diagnosticKeys) {
      expect(describeMetric(key)).toMatchObject({ cadence: 'epoch', smoothable: false });
    }
    for (const key of coreMetricKeys) {
      const { label } = describeMetric(key);
      expect(label.en.length).toBeGreaterThan(0);
      expect(label.zh.length).toBeGreaterThan(0);
    }
  });

  it('describes a key a method declares, but never lets a declaration replace a core key', () => {
    const declared = {
      target_decay: scheduleMetric({ en: 'Target decay τ', zh: '目标网络衰减率 τ' }),
      loss: lossMetric({ en: 'Not the loss', zh: '不是损失' }),
    };
    expect(describeMetric('target_decay', declared)).toEqual({
      label: { en: 'Target decay τ', zh: '目标网络衰减率 τ' },
      format: { kind: 'significant', digits: 4 },
      direction: 'neither',
      smoothable: false,
      cadence: 'step',
      group: 'training',
    });
    expect(describeMetric('loss', declared).label.en).toBe('Loss');
    // Without the declaration it is an unknown key.
    expect(describeMetric('target_decay').label.en).toBe('Target decay');
  });

  it('gives an unknown key a neutral spec: a number, no direction, its key humanised', () => {
    expect(describeMetric('queue_fill_ratio')).toEqual({
      label: { en: 'Queue fill ratio', zh: 'Queue fill ratio' },
      format: { kind: 'significant', digits: 4 },
      direction: 'neither',
      smoothable: true,
      cadence: 'step',
      group: 'training',
    });
    // Not guessed from the name: an "acc" or "loss" in it means nothing by itself.
    expect(describeMetric('val_acc').format.kind).toBe('significant');
    expect(describeMetric('val_acc').direction).toBe('neither');
    expect(describeMetric('my_loss').direction).toBe('neither');
    // Keys that name Object.prototype members are unknown keys too.
    expect(describeMetric('constructor').label.en).toBe('Constructor');
    expect(describeMetric('toString', {}).direction).toBe('neither');
  });

  it('names each share of the labels a fine-tune used, and reads the share back from the key', () => {
    for (const share of [1, 10, 100, 0.5, 12.5])
      for (const k of [1, 5] as const) {
        const key = fineTuneMetricKey(share, k);
        expect(fineTuneShareOfKey(key)).toEqual({ labelPercent: share, k });
        expect(describeMetric(key).label.en).toBe(`Fine-tune top-${k} (${share}% labels)`);
      }
    expect(fineTuneMetricKey(0.5, 1)).toBe('finetune_top1_0p5pct');
    // Only keys fineTuneMetricKey writes: no leading zero, no 0%, not the any-share keys.
    for (const key of ['finetune_top1_010pct', 'finetune_top1_0pct', 'finetune_top1', 'probe_top1'])
      expect(fineTuneShareOfKey(key)).toBeNull();
    // The papers' schedule: 60 epochs below 10% of the labels, 30 from 10% on (SimCLR App. B.5).
    expect([0.5, 1, 9.99, 10, 100].map(defaultFineTuneEpochs)).toEqual([60, 60, 60, 30, 30]);
  });
});
