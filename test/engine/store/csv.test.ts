import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvExports } from '../../../src-main/engine/services/exports';
import { histogramsToCsv, metricsToCsv, runsToCsv } from '../../../src-main/engine/store/csv';
import { Store } from '../../../src-main/engine/store/store';
import type { Run } from '../../../src-main/domain';
import { tempDir } from '../../helpers/cli';

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
  executor: 'local',
  slurm: null,
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

  it("never writes a probe or fine-tune of the random initialisation (step 0) as the run's final value", () => {
    const scratchOnly = run(
      1,
      'fine-tuned at step 0 only',
      {},
      { finetune_top1: 0.3, probe_top1: 0.2, knn_top1: 0.4 },
    );
    scratchOnly.summarySteps = { finetune_top1: 0, probe_top1: 0, knn_top1: 0 };
    const trained = run(2, 'fine-tuned when trained', {}, { finetune_top1: 0.6, probe_top1: 0.5 });
    const rows = parse(runsToCsv([scratchOnly, trained]), { columns: true }) as Record<string, string>[];
    // The evaluations of a checkpoint at step 0 are the from-scratch baseline, not the run's result.
    expect([rows[0]!['final.finetune_top1'], rows[0]!['final.probe_top1']]).toEqual(['', '']);
    // Nor is the training loop's kNN at step 0: a run stopped before its first epoch ended learnt nothing
    // that kNN measured (domain/run-result.ts).
    expect(rows[0]!['final.knn_top1']).toBe('');
    expect([rows[1]!['final.finetune_top1'], rows[1]!['final.probe_top1']]).toEqual(['0.6', '0.5']);
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

describe('aggregate CSV: runs that differ only in their seed, one row per configuration', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = tempDir('contrastlab-csv-aggregate-');
    store = new Store(path.join(dir, 'lab.db'));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A run as the engine records it: created, its final metrics written at its last step, ended. */
  function record(
    config: Record<string, unknown>,
    finals: Record<string, number>,
    status: 'completed' | 'failed' | 'running' = 'completed',
    extra: { method?: string; name?: string; dataset?: Run['dataset'] } = {},
  ): number {
    const run = store.createRun({
      method: extra.method ?? 'simclr',
      dataset: extra.dataset ?? { id: 'synthetic', trainSize: 256, testSize: 128 },
      config,
      name: extra.name ?? `seed ${String(config.seed)}`,
    });
    // An early value first: the summary is the value at the last step.
    store.addMetrics(
      Object.keys(finals).map((key) => ({ runId: run.id, step: 1, epoch: 0, key, value: -99, wallTime: 1 })),
    );
    store.addMetrics(
      Object.entries(finals).map(([key, value]) => ({
        runId: run.id,
        step: 8,
        epoch: 1,
        key,
        value,
        wallTime: 2,
      })),
    );
    store.markStarted(run.id, 'cpu', 'CPU', null);
    if (status !== 'running') store.markEnded(run.id, status, status === 'failed' ? 'boom' : null);
    return run.id;
  }
  const exportRows = (runIds?: number[]) =>
    parse(new CsvExports(store).export('aggregate', runIds), { columns: true }) as Record<string, string>[];

  it('writes n, seeds, the config without its seed, and mean, sample std and n of each final metric', () => {
    const probes = [0.7, 0.74, 0.69];
    const a = probes.map((p, seed) =>
      record({ lr: 0.5, seed, aug: { crop: 0.08 } }, { probe_top1: p, loss: 2 + seed }),
    );
    // The same configuration with its keys in another order.
    const b = record({ aug: { crop: 0.08 }, seed: 3, lr: 0.5 }, { probe_top1: 0.71, loss: 6 });
    // Another learning rate: its own row, a single run.
    const c = record({ lr: 0.25, seed: 0, aug: { crop: 0.08 } }, { probe_top1: 0.6, loss: 3 });

    const rows = exportRows();
    expect(rows).toHaveLength(2);
    const [first, second] = rows;
    expect(first).toMatchObject({
      method: 'simclr',
      dataset: 'synthetic',
      train_size: '256',
      test_size: '128',
      n: '4',
      completed: '4',
      seeds: '0;1;2;3',
      run_ids: [...a, b].join(';'),
      'config.lr': '0.5',
      'config.aug.crop': '0.08',
    });
    expect(Object.keys(first!)).not.toContain('config.seed');
    const values = [...probes, 0.71];
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sampleStd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    expect(Number(first!.probe_top1_mean)).toBeCloseTo(mean, 12);
    expect(Number(first!.probe_top1_std)).toBeCloseTo(sampleStd, 12);
    expect(first!.probe_top1_n).toBe('4');
    expect(Number(first!.loss_mean)).toBeCloseTo(3.75, 12);
    // Losses 2, 3, 4, 6: Σ(x − 3.75)² = 8.75 over n − 1 = 3.
    expect(Number(first!.loss_std)).toBeCloseTo(Math.sqrt(8.75 / 3), 12);

    expect(second).toMatchObject({ n: '1', seeds: '0', run_ids: String(c), 'config.lr': '0.25' });
    expect(Number(second!.probe_top1_mean)).toBeCloseTo(0.6, 12);
    // One value has no sample std.
    expect(second!.probe_top1_std).toBe('');
    expect(second!.probe_top1_n).toBe('1');
  });

  it('counts only completed runs’ final values, and keeps different methods and datasets apart', () => {
    const done = record({ lr: 0.5, seed: 0 }, { knn_top1: 0.4 });
    const failed = record({ lr: 0.5, seed: 1 }, { knn_top1: 0.9 }, 'failed');
    const running = record({ lr: 0.5, seed: 2 }, { knn_top1: 0.1 }, 'running');
    const byol = record({ lr: 0.5, seed: 0 }, { knn_top1: 0.3 }, 'completed', { method: 'byol' });
    const cifar = record({ lr: 0.5, seed: 0 }, { knn_top1: 0.2 }, 'completed', {
      dataset: { id: 'cifar10', dataDir: '/data/cifar' },
    });
    const rows = exportRows();
    expect(rows.map((r) => [r.method, r.dataset, r.run_ids, r.n, r.completed, r.knn_top1_n])).toEqual([
      ['simclr', 'synthetic', [done, failed, running].join(';'), '3', '1', '1'],
      ['byol', 'synthetic', String(byol), '1', '1', '1'],
      ['simclr', 'cifar10', String(cifar), '1', '1', '1'],
    ]);
    expect(Number(rows[0]!.knn_top1_mean)).toBeCloseTo(0.4, 12);
    expect(rows[2]!.data_dir).toBe('/data/cifar');

    // Only the runs asked for; an unknown id is named.
    expect(
      exportRows([failed, running]).map((r) => [r.n, r.completed, r.knn_top1_n, r.knn_top1_mean]),
    ).toEqual([['2', '0', '0', '']]);
    expect(() => new CsvExports(store).export('aggregate', [done, 999])).toThrow('no run with id 999');
  });

  it('neutralises text cells a spreadsheet would run as formulas, and leaves numbers alone', () => {
    record({ schedule: '=cmd()', warmup: '-1', lr: -0.5, seed: 0 }, { align: -0.75 }, 'completed', {
      dataset: { id: 'synthetic', dataDir: '@data' },
    });
    const [row] = exportRows();
    expect(row!['config.schedule']).toBe("'=cmd()");
    expect(row!['config.warmup']).toBe("'-1");
    expect(row!['config.lr']).toBe('-0.5');
    expect(row!.data_dir).toBe("'@data");
    expect(row!.align_mean).toBe('-0.75');
  });
});
