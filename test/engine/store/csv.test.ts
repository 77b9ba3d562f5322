import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { histogramsToCsv, metricsToCsv, runsToCsv } from '../../../src-main/engine/store/csv';
import type { Run } from '../../../src-main/domain';

const run = (
  id: number,
  name: string,
  config: Record<string, unknown>,
  summary: Record<string, number> = {},
  dataset: Run['dataset'] = { id: 'synthetic' },
): Run => ({
  id,
  name,
  method: 'simclr',
  status: 'completed',
  dataset,
  backendPreference: 'auto',
  backend: 'wasm',
  device: 'CPU',
  config,
  tags: ['a', 'b'],
  notes: 'line one\nline two',
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:01:30.000Z',
  summary,
  summarySteps: Object.fromEntries(Object.keys(summary).map((k) => [k, 16])),
  resumes: [],
});

describe('CSV export', () => {
  const tricky = 'a "quoted", comma\nand newline';

  it('round-trips run names with quotes, commas and newlines, and flattens config into columns', () => {
    const csv = runsToCsv([
      run(1, tricky, { lr: 0.5, epochs: 2, aug: { crop: 0.08 } }, { knn_top1: 0.5 }),
      run(2, 'plain', { lr: 0.1, temperature: 0.2 }),
    ]);
    expect(csv).toContain('\r\n');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.name).toBe(tricky);
    expect(rows[0]!.notes).toBe('line one\nline two');
    expect(rows[0]!['config.lr']).toBe('0.5');
    expect(rows[0]!['config.aug.crop']).toBe('0.08');
    expect(rows[0]!['config.temperature']).toBe('');
    expect(rows[1]!['config.temperature']).toBe('0.2');
    expect(rows[0]!['final.knn_top1']).toBe('0.5');
    expect(rows[0]!.duration_s).toBe('90');
    expect(rows[0]!.tags).toBe('a;b');
  });

  it('names the training and test subset sizes a run asked for, empty for a whole split', () => {
    const csv = runsToCsv([
      run(1, 'subset', {}, {}, { id: 'cifar10', dataDir: '/data/cifar', trainSize: 1000, testSize: 200 }),
      run(2, 'train subset only', {}, {}, { id: 'synthetic', trainSize: 512 }),
      run(3, 'whole splits', {}),
    ]);
    const header = (parse(csv) as string[][])[0]!;
    expect(header.slice(header.indexOf('data_dir'), header.indexOf('data_dir') + 3)).toEqual([
      'data_dir',
      'train_size',
      'test_size',
    ]);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.train_size, r.test_size])).toEqual([
      ['1000', '200'],
      ['512', ''],
      ['', ''],
    ]);
  });

  it("prefixes text cells that a spreadsheet would run as a formula with ', and leaves numbers alone", () => {
    const formula = '=HYPERLINK("x")';
    const csv = runsToCsv([
      {
        ...run(
          1,
          formula,
          { lr: -0.5, backbone: '+convnet', schedule: '@cosine', warmup: '-1' },
          { loss: -0.5 },
        ),
        tags: ['-tag', 'ok'],
        notes: '@note',
        error: '=1+1',
      },
    ]);
    const [row] = parse(csv, { columns: true }) as Record<string, string>[];
    expect(row!.name).toBe(`'${formula}`);
    expect(row!.tags).toBe("'-tag;ok");
    expect(row!.notes).toBe("'@note");
    expect(row!.error).toBe("'=1+1");
    expect(row!['config.backbone']).toBe("'+convnet");
    expect(row!['config.schedule']).toBe("'@cosine");
    // A string that looks like a number is still text: prefixed.
    expect(row!['config.warmup']).toBe("'-1");
    // Numbers stay numbers.
    expect(row!['config.lr']).toBe('-0.5');
    expect(row!['final.loss']).toBe('-0.5');
    expect(row!.method).toBe('simclr');

    const points = metricsToCsv(
      [{ runId: 1, step: 2, epoch: 0.25, key: 'alignment', value: -0.75, wallTime: 1700000000 }],
      [run(1, formula, {})],
    );
    expect((parse(points) as string[][])[1]).toEqual([
      '1',
      `'${formula}`,
      'simclr',
      '2',
      '0.25',
      'alignment',
      '-0.75',
      '1700000000',
    ]);
    const histograms = histogramsToCsv(
      [{ runId: 1, step: 0, epoch: 0, min: -1, max: 1, positive: [0.25, 0.75], negative: [0.5, 0.5] }],
      [run(1, '-minus', {})],
    );
    const bins = parse(histograms, { columns: true }) as Record<string, string>[];
    expect(bins.map((b) => [b.run_name, b.bin_low, b.bin_high])).toEqual([
      ["'-minus", '-1', '0'],
      ["'-minus", '0', '1'],
    ]);
  });

  it('writes metrics in long format with the run name beside every point', () => {
    const csv = metricsToCsv(
      [
        { runId: 1, step: 0, epoch: 0, key: 'knn_top1', value: 0.125, wallTime: 1700000000.5 },
        { runId: 1, step: 3, epoch: 0.75, key: 'loss', value: 4.5, wallTime: 1700000001.25 },
      ],
      [run(1, tricky, {})],
    );
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual(['run_id', 'run_name', 'method', 'step', 'epoch', 'key', 'value', 'wall_time']);
    expect(rows[1]).toEqual(['1', tricky, 'simclr', '0', '0', 'knn_top1', '0.125', '1700000000.5']);
    expect(rows[2]).toEqual(['1', tricky, 'simclr', '3', '0.75', 'loss', '4.5', '1700000001.25']);
  });
});
