import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/engine/store/store';
import { cifarDir, jsonLines, runCli, sharedDir, startCli, tempDir } from '../helpers/cli';

let dir: string;
let db: string;
beforeAll(() => {
  dir = tempDir('contrastlab-cli-');
  db = path.join(dir, 'lab.db');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type RunJson = {
  id: number;
  name: string;
  status: string;
  summary: Record<string, number>;
  config: Record<string, unknown>;
  backend: string;
  device: string;
};
const runsIn = async (file: string) =>
  JSON.parse((await runCli(['runs', '--db', file, '--json'])).stdout) as RunJson[];
const fast = ['--width', '8', '--batch-size', '64', '--set', 'projectionHiddenDim=64'];
/** Only the first images of each split: for tests of where and what a run records, not of how it learns. */
const firstImages = (train: number, test?: number) => [
  '--train-size',
  String(train),
  ...(test === undefined ? [] : ['--test-size', String(test)]),
];

describe('contrastlab CLI', () => {
  it('lists methods with paper and config schema', async () => {
    const r = await runCli(['methods', '--json']);
    expect(r.code).toBe(0);
    const methods = JSON.parse(r.stdout) as {
      id: string;
      paper: { year: number };
      config: { properties: Record<string, { default: unknown; description: string }> };
    }[];
    const simclr = methods.find((m) => m.id === 'simclr')!;
    expect(simclr.paper.year).toBe(2020);
    expect(simclr.config.properties.temperature).toMatchObject({
      default: 0.5,
      exclusiveMinimum: 0,
      maximum: 10,
    });
    expect(simclr.config.properties.temperature!.description).toMatch(/temperature/i);
    expect(simclr.config.properties.backbone!.default).toBe('convnet');
  });

  it('trains SimCLR on synthetic data with --json events, records it, and raises kNN above step 0', async () => {
    const r = await runCli([
      'train',
      '--method',
      'simclr',
      '--dataset',
      'synthetic',
      '--epochs',
      '2',
      '--db',
      db,
      '--json',
      '--name',
      'default run',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events[0]).toMatchObject({ event: 'run-created' });
    expect(events.at(-1)).toMatchObject({ event: 'finished', status: 'completed' });
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    // Looking for a GPU on a machine without one is quiet: no Vulkan or Dawn warnings in a CPU run's log.
    const gpuNoise = events.filter(
      (e) =>
        e.event === 'log' && /vulkan|XDG_RUNTIME_DIR|dawn/i.test((e.line as { message: string }).message),
    );
    expect(gpuNoise).toEqual([]);
    const runs = await runsIn(db);
    const run = runs.find((x) => x.name === 'default run')!;
    expect(run.status).toBe('completed');
    expect(run.backend).toMatch(/wasm|tensorflow|cpu/);
    expect(run.device).toBeTruthy();
    const metrics = await runCli([
      'export',
      '--db',
      db,
      '--runs',
      String(run.id),
      '--what',
      'metrics',
      '--out',
      path.join(dir, 'm.csv'),
    ]);
    expect(metrics.code).toBe(0);
    const rows = parse(fs.readFileSync(path.join(dir, 'm.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    const knn = rows
      .filter((x) => x.key === 'knn_top1')
      .map((x) => ({ step: Number(x.step), value: Number(x.value) }));
    expect(knn.length).toBe(3); // step 0 and after each epoch
    expect(knn[0]!.step).toBe(0);
    expect(knn.at(-1)!.value).toBeGreaterThan(knn[0]!.value);
    for (const key of ['loss', 'lr', 'images_per_s', 'knn_top5'])
      expect(rows.some((x) => x.key === key)).toBe(true);
    expect(rows.every((x) => Number.isFinite(Number(x.value)))).toBe(true);
  });

  it('exports runs as CSV with config columns, and names survive the round trip', async () => {
    const name = 'tricky "name", with\nnewline';
    const r = await runCli([
      'train',
      '--method',
      'simclr',
      '--epochs',
      '1',
      ...fast,
      ...firstImages(512, 128),
      '--db',
      db,
      '--json',
      '--name',
      name,
      '--set',
      'temperature=0.2',
    ]);
    expect(r.code).toBe(0);
    const out = path.join(dir, 'runs.csv');
    expect((await runCli(['export', '--db', db, '--what', 'runs', '--out', out])).code).toBe(0);
    const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const row = rows.find((x) => x.name === name)!;
    expect(row).toBeDefined();
    expect(row['config.temperature']).toBe('0.2');
    expect(row['config.width']).toBe('8');
    expect(Number(row['final.knn_top1'])).toBeGreaterThan(0);
    // The new diagnostics travel in the run table and the histograms have their own export.
    expect(Number(row['final.effective_rank'])).toBeGreaterThan(1);
    const hist = path.join(dir, 'histograms.csv');
    expect((await runCli(['export', '--db', db, '--what', 'histograms', '--out', hist])).code).toBe(0);
    const bins = parse(fs.readFileSync(hist, 'utf8'), { columns: true }) as Record<string, string>[];
    const ours = bins.filter((b) => b.run_name === name);
    expect(ours.length).toBe(2 * 40); // epochs 0 and 1, 40 bins each
    const positive = ours.filter((b) => Number(b.epoch) === 1).reduce((a, b) => a + Number(b.positive), 0);
    expect(positive).toBeCloseTo(1, 5);
  });

  it('trains on the real CIFAR-10 subset folder', async () => {
    const r = await runCli([
      'train',
      '--method',
      'simclr',
      '--dataset',
      'cifar10',
      '--data-dir',
      cifarDir,
      '--epochs',
      '1',
      ...fast,
      // Read from the real files; a part of them is enough to rise above chance.
      ...firstImages(2048),
      '--db',
      db,
      '--json',
      '--name',
      'cifar',
    ]);
    expect(r.code).toBe(0);
    const run = (await runsIn(db)).find((x) => x.name === 'cifar')!;
    expect(run.status).toBe('completed');
    expect(run.summary.knn_top1).toBeGreaterThan(0.1);
  });

  it('uses the embedded default database when --db is not given, from any working folder', async () => {
    const file = path.join(dir, 'default.db');
    // Run from outside the repository, as an installed `contrastlab` command would be.
    const r = await runCli(
      // The smallest run: what is tested is where it is recorded.
      ['train', '--method', 'simclr', '--epochs', '1', ...fast, ...firstImages(256, 128), '--json'],
      { CONTRASTLAB_DB: file },
      dir,
    );
    expect(r.code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    expect(JSON.parse((await runCli(['runs', '--json'], { CONTRASTLAB_DB: file })).stdout)).toHaveLength(1);
  });

  it('stops cleanly on Ctrl-C: status stopped, metrics kept, non-zero exit', async () => {
    const file = path.join(dir, 'stop.db');
    const child = startCli([
      'train',
      '--method',
      'simclr',
      '--epochs',
      '50',
      ...fast,
      '--db',
      file,
      '--json',
      '--name',
      'to stop',
    ]);
    let out = '';
    let signalled = false;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!signalled && out.includes('"event":"progress"')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(signalled).toBe(true);
    expect(code).not.toBe(0);
    expect(jsonLines(out).at(-1)).toMatchObject({ event: 'finished', status: 'stopped' });
    const [run] = await runsIn(file);
    expect(run!.status).toBe('stopped');
    expect(run!.summary.loss).toBeGreaterThan(0);
    expect(run!.summary.knn_top1).toBeGreaterThan(0);
  });

  it('computes the nt_xent fixture with check-loss', async () => {
    const fixture = path.join(sharedDir, 'fixtures/losses/nt_xent-1.json');
    const r = await runCli(['check-loss', fixture]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { loss: number; grads: Record<string, number[][]> };
    const expected = JSON.parse(fs.readFileSync(fixture, 'utf8')).expected as { loss: number };
    expect(out.loss).toBeCloseTo(expected.loss, 4);
    expect(Object.keys(out.grads).sort()).toEqual(['z1', 'z2']);
  });

  it('check-loss explains itself, and refuses a bad fixture in one line', async () => {
    const usage = await runCli(['check-loss', '--help']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/^usage: contrastlab check-loss FIXTURE\.json/);
    expect(usage.stdout).toMatch(/nt_xent/);

    const bad = path.join(dir, 'bad-fixture.json');
    const fixture = JSON.parse(
      fs.readFileSync(path.join(sharedDir, 'fixtures/losses/nt_xent-1.json'), 'utf8'),
    );
    fs.writeFileSync(bad, JSON.stringify({ ...fixture, params: { temperature: -1 } }));
    const r = await runCli(['check-loss', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/Invalid nt_xent fixture: .*temperature/);
  });

  describe('bad input: one clear line on stderr, non-zero exit, no run written', () => {
    const cases: [string, string[], RegExp][] = [
      ['unknown method', ['--method', 'nosuch'], /unknown method "nosuch"/],
      [
        'unknown --set key',
        ['--method', 'simclr', '--set', 'temprature=0.1'],
        /unknown config key "temprature"/,
      ],
      [
        'value out of range',
        ['--method', 'simclr', '--set', 'temperature=-1'],
        /invalid value for "temperature"/,
      ],
      ['wrong type', ['--method', 'simclr', '--epochs', 'many'], /--epochs must be an integer/],
      [
        'missing data directory',
        ['--method', 'simclr', '--dataset', 'cifar10', '--data-dir', '/nonexistent/cifar'],
        /\/nonexistent\/cifar/,
      ],
      ['no data directory', ['--method', 'simclr', '--dataset', 'cifar10'], /data-dir|data directory/i],
      ['unknown dataset', ['--method', 'simclr', '--dataset', 'imagenet'], /unknown dataset "imagenet"/],
      // A negative number is the flag's value, which the method's schema refuses, not a forgotten value.
      ['negative seed', ['--method', 'simclr', '--seed', '-1'], /invalid value for "seed" \(method simclr\)/],
      [
        'negative batch size',
        ['--method', 'simclr', '--batch-size', '-4'],
        /invalid value for "batchSize" \(method simclr\)/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const file = path.join(dir, `bad-${what.replace(/\W/g, '_')}.db`);
        const r = await runCli(['train', ...args, '--db', file]);
        expect(r.code).not.toBe(0);
        expect(r.code).not.toBeNull();
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        if (fs.existsSync(file)) expect(await runsIn(file)).toEqual([]);
      });
    }

    it('malformed data directory', async () => {
      const bad = path.join(dir, 'bad-cifar');
      fs.mkdirSync(bad, { recursive: true });
      fs.writeFileSync(path.join(bad, 'data_batch_1.bin'), Buffer.alloc(3073 * 2 + 5));
      fs.writeFileSync(path.join(bad, 'test_batch.bin'), Buffer.alloc(3073));
      const file = path.join(dir, 'bad-malformed.db');
      const r = await runCli([
        'train',
        '--method',
        'simclr',
        '--dataset',
        'cifar10',
        '--data-dir',
        bad,
        '--db',
        file,
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/data_batch_1\.bin/);
      expect(await runsIn(file)).toEqual([]);
    });

    it('unreadable database', async () => {
      const file = path.join(dir, 'garbage.db');
      fs.writeFileSync(file, 'not a database '.repeat(100));
      for (const args of [
        ['runs', '--db', file],
        ['train', '--method', 'simclr', '--db', file],
        ['export', '--db', file, '--what', 'runs', '--out', path.join(dir, 'x.csv')],
      ]) {
        const r = await runCli(args);
        expect(r.code).not.toBe(0);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/cannot open database .*garbage\.db/);
      }
    });

    it('read-only database', async (ctx) => {
      const file = path.join(dir, 'read-only.db');
      new Store(file).close();
      // chmod does not stop root from writing; an immutable file stops everyone.
      const immutable = (on: boolean) => execFileSync('chattr', [on ? '+i' : '-i', file], { stdio: 'pipe' });
      try {
        immutable(true);
      } catch (e) {
        ctx.skip(true, `cannot make a file immutable here (chattr: ${(e as Error).message.split('\n')[0]})`);
      }
      try {
        const r = await runCli(['train', '--method', 'simclr', '--db', file]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(
          `contrastlab: the database ${file} is read-only (EPERM); train records the run in it\n`,
        );
      } finally {
        immutable(false);
      }
      expect(await runsIn(file)).toEqual([]);
    });

    it('unknown run id on export', async () => {
      const r = await runCli([
        'export',
        '--db',
        db,
        '--runs',
        '99999',
        '--what',
        'runs',
        '--out',
        path.join(dir, 'x.csv'),
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/no run with id 99999/);
    });
  });
});
