import { describe, expect, it } from 'vitest';
import { runResult, type Run } from '../../../src-main/domain';
import {
  categoryJitter,
  defaultSweepMetric,
  metricRange,
  numericKind,
  parallelRows,
  scatterPoints,
  sweepAxes,
  sweepMetricKeys,
} from '../../../src-renderer/src/lib/sweep';

function run(
  id: number,
  config: Record<string, unknown>,
  summary: Record<string, number> = {},
  summarySteps: Record<string, number> = {},
): Run {
  return {
    id,
    name: `run ${id}`,
    method: 'simclr',
    status: 'completed',
    dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
    backendPreference: 'auto',
    executor: 'local',
    slurm: null,
    backend: 'cpu',
    device: null,
    config,
    tags: [],
    notes: '',
    error: null,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    endedAt: null,
    resumes: [],
    summary,
    summarySteps,
  };
}

const metricOf = (r: Run, key: string) => runResult(r, key);

describe('sweep axes', () => {
  const runs = [
    run(1, { lr: 0.001, batchSize: 64, optimizer: 'lars', epochs: 1, seed: 0 }, { probe_top1: 0.2 }),
    run(2, { lr: 0.01, batchSize: 128, optimizer: 'sgd', epochs: 1, seed: 0 }, { probe_top1: 0.4 }),
    run(3, { lr: 0.1, batchSize: 64, optimizer: 'adam', epochs: 1, seed: 1 }, { probe_top1: 0.3 }),
  ];

  it('keeps only the settings that differ, in the order they appear', () => {
    const axes = sweepAxes(runs);
    expect(axes.map((a) => a.key)).toEqual(['lr', 'batchSize', 'optimizer', 'seed']);
  });

  it('draws a setting spanning decades on a log axis, a narrow one linearly, strings as categories', () => {
    const [lr, batch, optimizer, seed] = sweepAxes(runs);
    expect(lr).toMatchObject({ kind: 'log', min: 0.001, max: 0.1, values: [0.001, 0.01, 0.1] });
    expect(batch).toMatchObject({ kind: 'value', min: 64, max: 128 });
    expect(optimizer).toMatchObject({
      kind: 'category',
      categories: ['adam', 'lars', 'sgd'],
      values: ['lars', 'sgd', 'adam'],
    });
    // Zero is not positive: no log axis even though 1/0 is "many decades".
    expect(seed?.kind).toBe('value');
    expect(numericKind([0, 1, 100])).toBe('value');
    expect(numericKind([0.5, 4])).toBe('value');
    expect(numericKind([0.5, 5])).toBe('log');
  });

  it('marks a setting one method lacks as missing, and sorts numbers among text by value', () => {
    const mixed = [
      run(1, { temperature: 0.5, crop: 'auto' }),
      run(2, { crop: 10 }),
      run(3, { temperature: 0.1, crop: 2 }),
    ];
    const [temperature, crop] = sweepAxes(mixed);
    expect(temperature).toMatchObject({ key: 'temperature', kind: 'value', values: [0.5, null, 0.1] });
    expect(crop).toMatchObject({ kind: 'category', categories: ['2', '10', 'auto'] });
  });

  it('has no axes for fewer than two runs, or runs that share every setting', () => {
    expect(sweepAxes(runs.slice(0, 1))).toEqual([]);
    expect(sweepAxes([run(1, { lr: 0.1 }), run(2, { lr: 0.1 })])).toEqual([]);
  });

  it('finds the method, dataset and subset sizes among the settings', () => {
    const other = {
      ...run(2, { lr: 0.1 }),
      method: 'byol',
      dataset: { id: 'synthetic' as const, trainSize: 256 },
    };
    const axes = sweepAxes([run(1, { lr: 0.1 }), other]);
    expect(axes.map((a) => a.key)).toEqual(['method', 'dataset.trainSize', 'dataset.testSize']);
    expect(axes[2]).toMatchObject({ values: [64, null] });
  });
});

describe('sweep metrics and rows', () => {
  const runs = [
    run(1, { lr: 0.01 }, { probe_top1: 0.25, loss: 3 }),
    // A probe of step 0 only: the random initialisation, no result of the run.
    run(2, { lr: 0.1 }, { probe_top1: 0.1, loss: 2 }, { probe_top1: 0 }),
    run(3, { lr: 1 }, { probe_top1: 0.5, loss: 1 }),
  ];

  it('lists the metrics some run has and colours by the probe by default, never a step-0 probe', () => {
    const keys = sweepMetricKeys(runs, ['loss', 'probe_top1', 'knn_top1'], metricOf);
    expect(keys).toEqual(['loss', 'probe_top1']);
    expect(defaultSweepMetric(keys)).toBe('probe_top1');
    expect(defaultSweepMetric(keys, 'loss')).toBe('loss');
    expect(defaultSweepMetric(['images_per_s'])).toBe('images_per_s');
    expect(defaultSweepMetric([])).toBeNull();

    const rows = parallelRows(runs, sweepAxes(runs), 'probe_top1', metricOf);
    expect(rows).toEqual([
      { runId: 1, values: [0.01], metric: 0.25 },
      { runId: 2, values: [0.1], metric: null },
      { runId: 3, values: [1], metric: 0.5 },
    ]);
    expect(metricRange(rows)).toEqual({ min: 0.25, max: 0.5 });
  });

  it('gives a single value a range for the colour scale', () => {
    const range = metricRange([{ runId: 1, values: [], metric: 0.4 }]);
    expect(range!.min).toBeLessThan(0.4);
    expect(range!.max).toBeGreaterThan(0.4);
    expect(metricRange([{ runId: 1, values: [], metric: null }])).toBeNull();
  });

  it('plots a metric against a numeric setting by value and a categorical one by index', () => {
    const [lr] = sweepAxes(runs);
    expect(scatterPoints(runs, lr!, 'loss', metricOf)).toEqual([
      { runId: 1, x: 0.01, y: 3 },
      { runId: 2, x: 0.1, y: 2 },
      { runId: 3, x: 1, y: 1 },
    ]);
    // The run without a result for the metric is left out.
    expect(scatterPoints(runs, lr!, 'probe_top1', metricOf).map((p) => p.runId)).toEqual([1, 3]);
    const byOptimizer = [run(1, { o: 'sgd' }, { loss: 2 }), run(2, { o: 'adam' }, { loss: 1 })];
    const [o] = sweepAxes(byOptimizer);
    expect(scatterPoints(byOptimizer, o!, 'loss', metricOf)).toEqual([
      { runId: 1, x: 1, y: 2 },
      { runId: 2, x: 0, y: 1 },
    ]);
  });

  it('spreads points of one category evenly and symmetrically', () => {
    expect(categoryJitter(0, 1)).toBe(0);
    expect([0, 1, 2].map((k) => categoryJitter(k, 3, 0.4))).toEqual([-0.2, 0, 0.2]);
  });
});
