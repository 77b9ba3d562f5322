import { describe, expect, it } from 'vitest';
import type { Grid, Run, RunProgress } from '../../../src-main/domain';
import {
  axisFields,
  defaultAxes,
  gridCell,
  gridCells,
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
  const progress: RunProgress = {
    runId: 1,
    step: 30,
    totalSteps: 120,
    epoch: 1,
    epochs: 4,
    loss: 1,
    imagesPerSecond: 10,
    etaSeconds: 5,
  };

  it('fills a cell only with a completed run’s final value', () => {
    expect(gridCell(0, 1, 1, run('completed', { probe_top1: 0.42 }), 'probe_top1', undefined)).toEqual({
      row: 0,
      col: 1,
      runId: 1,
      status: 'completed',
      value: 0.42,
      progress: null,
    });
    // A running run's kNN at epoch 0 is not its final value.
    const running = gridCell(0, 0, 1, run('running', { knn_top1: 0.2 }), 'knn_top1', progress);
    expect(running.value).toBeNull();
    expect(running.progress).toBe(0.25);
    expect(gridCell(0, 0, 1, run('completed', { knn_top1: 0.3 }), 'probe_top1', undefined).value).toBeNull();
    expect(gridCell(0, 0, 1, run('failed', { probe_top1: 0.3 }), 'probe_top1', undefined).value).toBeNull();
    expect(gridCell(0, 0, 1, run('queued'), 'probe_top1', undefined).progress).toBeNull();
    expect(gridCell(0, 0, 9, undefined, 'probe_top1', undefined).status).toBe('missing');
  });

  it('lays the runs out row by row', () => {
    const grid: Grid = {
      id: 1,
      name: 'g',
      method: 'simclr',
      rows: { field: 'cropMinScale', values: [0.08, 1] },
      cols: { field: 'jitterProb', values: [0, 0.8] },
      metric: 'probe_top1',
      runIds: [
        [1, 2],
        [3, 4],
      ],
      createdAt: '2026-01-01T00:00:00Z',
    };
    const runs = new Map([
      [1, run('completed', { probe_top1: 0.5 }, 1)],
      [2, run('running', {}, 2)],
      [3, run('queued', {}, 3)],
      [4, run('completed', { probe_top1: 0.25 }, 4)],
    ]);
    const cells = gridCells(
      grid,
      (id) => runs.get(id),
      () => undefined,
    );
    expect(cells.map((row) => row.map((c) => [c.runId, c.row, c.col, c.status, c.value]))).toEqual([
      [
        [1, 0, 0, 'completed', 0.5],
        [2, 0, 1, 'running', null],
      ],
      [
        [3, 1, 0, 'queued', null],
        [4, 1, 1, 'completed', 0.25],
      ],
    ]);
  });
});
