import { describe, expect, it } from 'vitest';
import type { Grid, Run, RunProgress } from '../../../src-main/domain';
import {
  axisFields,
  bestCells,
  defaultAxes,
  gridCell,
  gridCells,
  gridSeedRun,
  heatmapLayout,
  maxAxisValues,
  parseAxisValues,
  suggestValues,
} from '../../../src-renderer/src/lib/grid';
import { fieldsOf, type FieldSpec } from '../../../src-renderer/src/lib/schema';

const schema = {
  properties: {
    epochs: { type: 'integer', minimum: 1, maximum: 100, default: 10, group: 'optimisation' },
    temperature: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.5, group: 'method' },
    cropMinScale: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.08, group: 'augmentation' },
    jitterProb: { type: 'number', minimum: 0, maximum: 1, default: 0.8, group: 'augmentation' },
    blurProb: { type: 'number', minimum: 0, maximum: 1, default: 0, group: 'augmentation' },
    backbone: { type: 'string', enum: ['convnet', 'resnet18'], default: 'convnet', group: 'model' },
    symmetric: { type: 'boolean', default: true, group: 'method' },
    name: { type: 'string', default: '', group: 'other' },
    schedule: { type: 'array', default: [1, 2], group: 'other' },
  },
};
const fields = fieldsOf(schema);
const spec = (key: string): FieldSpec => fields.find((f) => f.key === key)!;

function run(status: Run['status'], summary: Record<string, number> = {}, id = 1): Run {
  return {
    id,
    name: `run ${id}`,
    method: 'simclr',
    status,
    dataset: { id: 'synthetic' },
    backendPreference: 'auto',
    executor: 'local',
    slurm: null,
    backend: null,
    device: null,
    config: {},
    tags: [],
    notes: '',
    error: null,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    endedAt: null,
    summary,
    summarySteps: Object.fromEntries(Object.keys(summary).map((k) => [k, 0])),
    resumes: [],
  };
}

describe('grid axes', () => {
  it('offers numbers, options and switches, not free text or JSON', () => {
    expect(axisFields(fields).map((f) => f.key)).toEqual([
      'epochs',
      'temperature',
      'cropMinScale',
      'jitterProb',
      'blurProb',
      'backbone',
      'symmetric',
    ]);
  });

  it('parses comma-separated values with the field’s type', () => {
    expect(parseAxisValues(spec('jitterProb'), ' 0, 0.4 ,0.8,')).toEqual({ values: [0, 0.4, 0.8] });
    expect(parseAxisValues(spec('epochs'), '1,2')).toEqual({ values: [1, 2] });
    expect(parseAxisValues(spec('backbone'), 'resnet18, convnet')).toEqual({
      values: ['resnet18', 'convnet'],
    });
    expect(parseAxisValues(spec('symmetric'), 'yes, false')).toEqual({ values: [true, false] });
  });

  it('reports the first bad value with the field’s own bounds', () => {
    expect(parseAxisValues(spec('jitterProb'), '0, 1.5').error).toEqual({
      code: 'value',
      params: { value: '1.5' },
      cause: { code: 'max', params: { n: 1 } },
    });
    expect(parseAxisValues(spec('epochs'), '1, 2.5').error?.cause?.code).toBe('notInteger');
    expect(parseAxisValues(spec('cropMinScale'), '0').error?.cause).toEqual({ code: 'gt', params: { n: 0 } });
    expect(parseAxisValues(spec('backbone'), 'vgg').error?.cause?.code).toBe('notOption');
    expect(parseAxisValues(spec('symmetric'), 'maybe').error?.cause?.code).toBe('notOption');
    expect(parseAxisValues(spec('temperature'), 'abc').error?.cause?.code).toBe('notNumber');
  });

  it('rejects empty, repeated and too many values', () => {
    expect(parseAxisValues(spec('jitterProb'), ' , ').error?.code).toBe('empty');
    expect(parseAxisValues(spec('jitterProb'), '0.5, .5').error).toEqual({
      code: 'repeat',
      params: { value: '.5' },
    });
    const many = Array.from({ length: maxAxisValues + 1 }, (_, i) => i / 10).join(',');
    expect(parseAxisValues(spec('jitterProb'), many).error?.code).toBe('tooMany');
    const enough = Array.from({ length: maxAxisValues }, (_, i) => i / 10).join(',');
    expect(parseAxisValues(spec('jitterProb'), enough).values).toHaveLength(maxAxisValues);
  });

  it('suggests values that parse: off against on for probabilities and fractions', () => {
    expect(suggestValues(spec('jitterProb'))).toBe('0, 0.8');
    expect(suggestValues(spec('blurProb'))).toBe('0, 0.5');
    expect(suggestValues(spec('cropMinScale'))).toBe('0.08, 1');
    expect(suggestValues(spec('temperature'))).toBe('0.25, 0.5');
    expect(suggestValues(spec('epochs'))).toBe('5, 10');
    expect(suggestValues(spec('backbone'))).toBe('convnet, resnet18');
    expect(suggestValues(spec('symmetric'))).toBe('false, true');
    for (const f of axisFields(fields)) expect(parseAxisValues(f, suggestValues(f)).error).toBeUndefined();
  });

  it('starts with SimCLR’s crop × colour ablation, else the first two augmentation settings', () => {
    expect(defaultAxes(fields)).toEqual(['cropMinScale', 'jitterProb']);
    const noCrop = fields.filter((f) => f.key !== 'cropMinScale');
    expect(defaultAxes(noCrop)).toEqual(['jitterProb', 'blurProb']);
    expect(defaultAxes([spec('epochs')])).toBeNull();
  });
});

describe('grid cells', () => {
  const progress = (step: number): RunProgress => ({
    runId: 1,
    step,
    totalSteps: 120,
    epoch: 1,
    epochs: 4,
    loss: 1,
    imagesPerSecond: 10,
    etaSeconds: 5,
    phase: 'training',
  });

  it('takes a seed’s value only from a completed run’s final value', () => {
    expect(gridSeedRun(1, 0, run('completed', { probe_top1: 0.42 }), 'probe_top1', undefined)).toEqual({
      runId: 1,
      seed: 0,
      status: 'completed',
      value: 0.42,
      progress: null,
    });
    // A running run's kNN at epoch 0 is not its final value.
    const running = gridSeedRun(1, 0, run('running', { knn_top1: 0.2 }), 'knn_top1', progress(30));
    expect(running.value).toBeNull();
    expect(running.progress).toBe(0.25);
    expect(gridSeedRun(1, 0, run('completed', { knn_top1: 0.3 }), 'probe_top1', undefined).value).toBeNull();
    expect(gridSeedRun(1, 0, run('failed', { probe_top1: 0.3 }), 'probe_top1', undefined).value).toBeNull();
    expect(gridSeedRun(1, 0, run('queued'), 'probe_top1', undefined).progress).toBeNull();
    expect(gridSeedRun(9, 0, undefined, 'probe_top1', undefined).status).toBe('missing');
  });

  it('shows the mean and sample std of its completed seeds, and n', () => {
    const seeds = [0.7, 0.74, 0.69].map((v, s) =>
      gridSeedRun(s + 1, s, run('completed', { probe_top1: v }, s + 1), 'probe_top1', undefined),
    );
    const cell = gridCell(0, 1, seeds);
    expect(cell.status).toBe('completed');
    expect(cell.value!.n).toBe(3);
    expect(cell.value!.mean).toBeCloseTo((0.7 + 0.74 + 0.69) / 3, 12);
    const m = (0.7 + 0.74 + 0.69) / 3;
    expect(cell.value!.std).toBeCloseTo(
      Math.sqrt(((0.7 - m) ** 2 + (0.74 - m) ** 2 + (0.69 - m) ** 2) / 2),
      12,
    );
    // One seed: its value, std 0.
    expect(gridCell(0, 0, seeds.slice(0, 1)).value).toEqual({ mean: 0.7, std: 0, n: 1 });
  });

  it('is running while any seed runs, with the share of all its seeds’ steps done', () => {
    const done = gridSeedRun(1, 0, run('completed', { probe_top1: 0.5 }, 1), 'probe_top1', undefined);
    const half = gridSeedRun(2, 1, run('running', {}, 2), 'probe_top1', progress(60));
    const queued = gridSeedRun(3, 2, run('queued', {}, 3), 'probe_top1', undefined);
    const cell = gridCell(0, 0, [done, half, queued]);
    expect(cell.status).toBe('running');
    // (1 + 0.5 + 0) / 3.
    expect(cell.progress).toBeCloseTo(0.5, 12);
    // The completed seed already counts, as n says.
    expect(cell.value).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(gridCell(0, 0, [done, queued]).status).toBe('queued');
    const failed = gridSeedRun(4, 3, run('failed', {}, 4), 'probe_top1', undefined);
    expect(gridCell(0, 0, [failed, done]).status).toBe('completed');
    expect(gridCell(0, 0, [failed]).status).toBe('failed');
    expect(gridCell(0, 0, [gridSeedRun(5, 0, undefined, 'probe_top1', undefined)]).status).toBe('missing');
  });

  const grid = (cols: Grid['cols'], runIds: number[][][]): Grid => ({
    id: 1,
    name: 'g',
    method: 'simclr',
    rows: { field: 'cropMinScale', values: [0.08, 1] },
    cols,
    seeds: [5, 6],
    executor: 'local',
    metric: 'probe_top1',
    runIds,
    fineTuneEpochs: null,
    createdAt: '2026-01-01T00:00:00Z',
  });

  it('lays the runs out row by row, a run per seed in each cell', () => {
    const g = grid({ field: 'jitterProb', values: [0, 0.8] }, [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    const runs = new Map(
      [
        run('completed', { probe_top1: 0.5 }, 1),
        run('completed', { probe_top1: 0.7 }, 2),
        run('running', {}, 3),
        run('queued', {}, 4),
        run('queued', {}, 5),
        run('queued', {}, 6),
        run('completed', { probe_top1: 0.25 }, 7),
        run('completed', { probe_top1: 0.25 }, 8),
      ].map((r) => [r.id, r]),
    );
    const cells = gridCells(
      g,
      (id) => runs.get(id),
      () => undefined,
    );
    expect(
      cells.map((row) => row.map((c) => [c.row, c.col, c.runs.map((r) => [r.runId, r.seed]), c.status])),
    ).toEqual([
      [
        [
          0,
          0,
          [
            [1, 5],
            [2, 6],
          ],
          'completed',
        ],
        [
          0,
          1,
          [
            [3, 5],
            [4, 6],
          ],
          'running',
        ],
      ],
      [
        [
          1,
          0,
          [
            [5, 5],
            [6, 6],
          ],
          'queued',
        ],
        [
          1,
          1,
          [
            [7, 5],
            [8, 6],
          ],
          'completed',
        ],
      ],
    ]);
    expect(cells[0]![0]!.value!.mean).toBeCloseTo(0.6, 12);
    expect(cells[1]![1]!.value).toEqual({ mean: 0.25, std: 0, n: 2 });
    expect(bestCells(cells.flat(), true)).toEqual(new Set([cells[0]![0]]));
    expect(bestCells(cells.flat(), false)).toEqual(new Set([cells[1]![1]]));
    expect(bestCells(cells.flat(), null).size).toBe(0);
    expect(bestCells([cells[0]![0]!], true).size).toBe(0);
  });

  it('draws columns across and rows down, and a one-axis sweep as one row of cells', () => {
    const two = heatmapLayout(grid({ field: 'jitterProb', values: [0, 0.8] }, []));
    expect(two.x.field).toBe('jitterProb');
    expect(two.y?.field).toBe('cropMinScale');
    expect(two.at({ row: 1, col: 0 })).toEqual([0, 1]);
    const one = heatmapLayout(grid(null, []));
    expect(one.x).toEqual({ field: 'cropMinScale', values: [0.08, 1] });
    expect(one.y).toBeNull();
    expect(one.at({ row: 1, col: 0 })).toEqual([1, 0]);
  });
});
