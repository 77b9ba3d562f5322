import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/engine/store/store';
import { runCli, tempDir } from '../helpers/cli';

let dir: string;
let db: string;
const formula = '=HYPERLINK("x")';

beforeAll(() => {
  dir = tempDir('contrastlab-cli-export-');
  db = path.join(dir, 'lab.db');
  // Runs as the engine records them; exporting needs no training.
  const store = new Store(db);
  const subset = store.createRun({
    method: 'simclr',
    dataset: { id: 'synthetic', trainSize: 1000, testSize: 200 },
    config: { epochs: 1, temperature: 0.5 },
    name: formula,
  });
  store.addMetrics([{ runId: subset.id, step: 8, epoch: 1, key: 'alignment', value: -0.5, wallTime: 1 }]);
  store.createRun({ method: 'simclr', dataset: { id: 'synthetic' }, config: { epochs: 1 }, name: 'whole' });
  // Two seeds of one configuration, completed with their final kNN accuracy.
  for (const [seed, knn] of [
    [0, 0.5],
    [1, 0.75],
  ] as const) {
    const run = store.createRun({
      method: 'byol',
      dataset: { id: 'synthetic' },
      config: { epochs: 1, seed },
      name: `byol seed ${seed}`,
    });
    store.addMetrics([{ runId: run.id, step: 8, epoch: 1, key: 'knn_top1', value: knn, wallTime: 1 }]);
    store.markEnded(run.id, 'completed');
  }
  store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const rowsOf = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe('contrastlab export', () => {
  it('--out - writes the CSV to standard output', async () => {
    // Run from the temporary folder, so a file named "-" would land there.
    const r = await runCli(['export', '--db', db, '--what', 'runs', '--out', '-'], {}, dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = rowsOf(r.stdout);
    expect(rows.map((x) => x.name)).toEqual([`'${formula}`, 'whole', 'byol seed 0', 'byol seed 1']);
    expect(rows.map((x) => [x.train_size, x.test_size])).toEqual([
      ['1000', '200'],
      ['', ''],
      ['', ''],
      ['', ''],
    ]);
    expect(rows[0]!['final.alignment']).toBe('-0.5');
    expect(fs.readdirSync(dir)).not.toContain('-');
  });

  it('--what aggregate writes one row per configuration with mean, std and n across its seeds', async () => {
    const out = path.join(dir, 'aggregate.csv');
    const r = await runCli(['export', '--db', db, '--what', 'aggregate', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = rowsOf(fs.readFileSync(out, 'utf8'));
    // The two SimCLR runs differ in their subset and temperature: two rows. The BYOL seeds are one.
    expect(rows.map((x) => [x.method, x.n, x.seeds])).toEqual([
      ['simclr', '1', '0'],
      ['simclr', '1', '0'],
      ['byol', '2', '0;1'],
    ]);
    const byol = rows[2]!;
    expect(Number(byol.knn_top1_mean)).toBeCloseTo(0.625, 12);
    expect(Number(byol.knn_top1_std)).toBeCloseTo(0.25 / Math.SQRT2, 12);
    expect(byol.knn_top1_n).toBe('2');
    expect(byol['config.epochs']).toBe('1');
  });

  it('--help names every export, aggregate included; an unknown one is a usage error', async () => {
    const help = await runCli(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--what runs|metrics|histograms|aggregate');
    expect(help.stdout).toContain('<key>_mean, <key>_std, <key>_n');
    const bad = await runCli(['export', '--db', db, '--what', 'seeds', '--out', '-']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('contrastlab: --what must be "runs", "metrics", "histograms" or "aggregate"\n');
  });

  it('--out into a folder that does not exist: one line naming it, exit code 2, nothing written', async () => {
    const out = path.join(dir, 'no', 'such', 'runs.csv');
    const r = await runCli(['export', '--db', db, '--what', 'runs', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `contrastlab: cannot write ${out}: the folder ${path.dirname(out)} does not exist\n`,
    );
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
  });

  it('--out naming a folder: one line, exit code 2', async () => {
    const r = await runCli(['export', '--db', db, '--what', 'metrics', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^contrastlab: cannot write ${dir}: `));
  });
});
