/**
 * `contrastlab grid`, `train --executor slurm --no-wait` and `sync` through the real command line: a local
 * sweep with seeds prints each cell's mean ± std; a Slurm run is submitted and left to the cluster, read
 * in by `sync`, and a second `sync` records nothing twice. The tests run side by side.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { slurmMissing } from '../helpers/slurm';

const missing = slurmMissing();
if (missing) console.warn(`skipping train --executor slurm and sync: ${missing}`);

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-grid-sync-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const tiny = [
  '--train-size',
  '64',
  '--test-size',
  '32',
  '--set',
  'epochs=1',
  '--set',
  'width=4',
  '--set',
  'batchSize=16',
  '--set',
  'projectionHiddenDim=32',
  '--set',
  'linearProbe=false',
];

/** Reads the database with a connection of its own, as another program would. */
function query<T>(db: string, fn: (conn: Database.Database) => T): T {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return fn(conn);
  } finally {
    conn.close();
  }
}

const finalValue = (conn: Database.Database, runId: number, key: string) =>
  (
    conn
      .prepare(
        'SELECT value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step DESC, rowid DESC LIMIT 1',
      )
      .get(runId, key) as { value: number }
  ).value;

describe.concurrent('contrastlab grid and sync', () => {
  it('grid: a local one-axis sweep with 2 seeds prints a line per cell with mean ± std (n=2)', async ({
    expect,
  }) => {
    const db = path.join(dir, 'grid.db');
    const r = await runCli([
      'grid',
      '--method',
      'simclr',
      '--axis',
      'temperature=0.2,0.5',
      '--seeds',
      '2',
      '--name',
      'sweep',
      ...tiny,
      '--db',
      db,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^grid 1 "sweep": 4 runs \(1–4\) on this machine\n/);
    expect(r.stderr.match(/^ {2}run \d+ completed$/gm)).toHaveLength(4);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);

    // Each printed cell against its runs in the database: the mean and sample std of their final kNN.
    const grid = query(db, (conn) => {
      const row = conn.prepare('SELECT run_ids_json, seeds_json FROM grids WHERE id = 1').get() as {
        run_ids_json: string;
        seeds_json: string;
      };
      const runIds = JSON.parse(row.run_ids_json) as number[][][];
      const seeds = runIds.map((cells) =>
        cells[0]!.map((id) => {
          const { config_json } = conn.prepare('SELECT config_json FROM runs WHERE id = ?').get(id) as {
            config_json: string;
          };
          return (JSON.parse(config_json) as { seed: number }).seed;
        }),
      );
      const values = runIds.map((cells) => cells[0]!.map((id) => finalValue(conn, id, 'knn_top1')));
      return { runIds, seeds, gridSeeds: JSON.parse(row.seeds_json) as number[], values };
    });
    expect(grid.runIds.map((cells) => cells.map((runs) => runs.length))).toEqual([[2], [2]]);
    // Two seeds per cell, the config's seed and the next.
    expect(grid.seeds).toEqual([grid.gridSeeds, grid.gridSeeds]);
    expect(grid.gridSeeds[1]).toBe(grid.gridSeeds[0]! + 1);
    for (const [i, temperature] of ['0.2', '0.5'].entries()) {
      const [a, b] = grid.values[i]!;
      const mean = (a! + b!) / 2;
      const std = Math.sqrt((a! - mean) ** 2 + (b! - mean) ** 2); // n − 1 = 1
      expect(lines[i]).toBe(
        `temperature=${temperature}\tknn_top1 ${mean.toFixed(4)} ± ${std.toFixed(4)} (n=2)`,
      );
    }
  });

  it('grid --axis labelPercent: one run, fine-tuned at each share once trained; a line per share', async ({
    expect,
  }) => {
    const db = path.join(dir, 'labels.db');
    const r = await runCli([
      'grid',
      '--method',
      'simclr',
      '--axis',
      'labelPercent=50,100',
      '--fine-tune-epochs',
      '1',
      '--name',
      'labels',
      ...tiny,
      '--db',
      db,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^grid 1 "labels": 1 run \(1\) on this machine\n/);
    expect(r.stderr).toMatch(/^ {2}run 1 fine-tune on 50% of the labels completed$/m);
    expect(r.stderr).toMatch(/^ {2}run 1 fine-tune on 100% of the labels completed$/m);
    const jobs = query(db, (conn) =>
      conn.prepare("SELECT params_json FROM jobs WHERE run_id = 1 AND kind = 'fine-tune'").all(),
    );
    expect(jobs).toEqual([
      { params_json: JSON.stringify({ labelPercent: 50, epochs: 1 }) },
      { params_json: JSON.stringify({ labelPercent: 100, epochs: 1 }) },
    ]);
    const [half, all] = query(db, (conn) => [
      finalValue(conn, 1, 'finetune_top1_50pct'),
      finalValue(conn, 1, 'finetune_top1_100pct'),
    ]);
    expect(r.stdout).toBe(
      `labelPercent=50\tfinetune_top1_50pct ${half!.toFixed(4)} ± 0.0000 (n=1)\n` +
        `labelPercent=100\tfinetune_top1_100pct ${all!.toFixed(4)} ± 0.0000 (n=1)\n`,
    );
  });

  it.skipIf(missing !== null)(
    'train --executor slurm --no-wait exits at once; sync records the run, and a second sync adds nothing',
    async ({ expect }) => {
      const db = path.join(dir, 'slurm.db');
      const started = Date.now();
      const submit = await runCli([
        'train',
        '--method',
        'simclr',
        '--executor',
        'slurm',
        '--no-wait',
        ...tiny,
        '--db',
        db,
      ]);
      expect(submit.stderr).toBe('');
      expect(submit.code).toBe(0);
      const m = /^run (\d+) submitted as Slurm job (\d+)\n$/.exec(submit.stdout);
      expect(m, submit.stdout).not.toBeNull();
      const [runId, jobId] = [Number(m![1]), m![2]!];
      // It did not wait for the training: the run is unfinished when the command has exited.
      const statusOf = () =>
        query(
          db,
          (conn) =>
            (conn.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status,
        );
      expect(['queued', 'running']).toContain(statusOf());
      expect(Date.now() - started).toBeLessThan(30_000);

      // sync until the run has ended, adding up the points each pass says it recorded.
      let reported = 0;
      const ended: { runId: number; status: string }[] = [];
      const deadline = Date.now() + 120_000;
      while (!['completed', 'failed', 'stopped', 'interrupted'].includes(statusOf())) {
        if (Date.now() > deadline) throw new Error(`run ${runId} (Slurm job ${jobId}) did not end`);
        const pass = await runCli(['sync', '--db', db, '--json']);
        expect(pass.code, pass.stderr).toBe(0);
        const result = JSON.parse(pass.stdout) as { runs: number; points: number; ended: typeof ended };
        expect(result.runs).toBe(1);
        reported += result.points;
        ended.push(...result.ended);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(statusOf()).toBe('completed');
      expect(ended).toEqual([{ runId, status: 'completed' }]);
      const countPoints = () =>
        query(
          db,
          (conn) =>
            (conn.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = ?').get(runId) as { n: number })
              .n,
        );
      const points = countPoints();
      expect(points).toBeGreaterThan(4);
      // What the passes said they recorded is what the database holds.
      expect(reported).toBe(points);

      const again = await runCli(['sync', '--db', db]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe('1 Slurm run(s): 0 new metric point(s)\n');
      expect(countPoints()).toBe(points);
    },
  );

  it.skipIf(missing !== null)(
    'stop: a Slurm run submitted with --no-wait is cancelled and recorded as stopped; a local run is refused',
    async ({ expect }) => {
      const db = path.join(dir, 'stop.db');
      const longer = tiny.map((a) => (a === 'epochs=1' ? 'epochs=500' : a));
      const submit = await runCli([
        'train',
        '--method',
        'simclr',
        '--executor',
        'slurm',
        '--no-wait',
        ...longer,
        '--db',
        db,
      ]);
      expect(submit.code, submit.stderr).toBe(0);
      const [, runId, jobId] = /^run (\d+) submitted as Slurm job (\d+)\n$/.exec(submit.stdout)!;
      const stop = await runCli(['stop', runId!, '--db', db]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toMatch(new RegExp(`^run ${runId} stopped \\(Slurm job ${jobId} CANCELLED`));
      const again = await runCli(['stop', runId!, '--db', db]);
      expect(again.stdout).toBe(`run ${runId} is already stopped\n`);

      // A local run trains in the process that started it; stop refuses it, saying where to stop it.
      const conn = new Database(db);
      conn
        .prepare(
          `INSERT INTO runs (name, method, status, dataset_json, backend_preference, config_json, created_at, worker_pid) VALUES ('local', 'simclr', 'running', '{"id":"synthetic"}', 'auto', '{}', '2026-01-01', ?)`,
        )
        // A living worker process (this one): the run is not taken for one cut off.
        .run(process.pid);
      const localId = (conn.prepare('SELECT max(id) AS id FROM runs').get() as { id: number }).id;
      conn.close();
      const local = await runCli(['stop', String(localId), '--db', db]);
      expect(local.code).toBe(2);
      expect(local.stderr).toBe(
        `contrastlab: run ${localId} trains in the process that started it on this machine; stop it there (the workbench's Stop, or Ctrl-C in its train)\n`,
      );
    },
  );

  it('bad input: one line on stderr, exit code 2, no database made', async ({ expect }) => {
    const db = path.join(dir, 'never.db');
    const base = ['--method', 'simclr', '--db', db];
    const cases: [string[], RegExp][] = [
      [
        [
          'grid',
          ...base,
          '--axis',
          'temperature=0.2,0.5',
          '--axis',
          'width=4,8',
          '--axis',
          'batchSize=16,32',
        ],
        /a grid has one or two --axis flags, got 3/,
      ],
      [['grid', ...base, '--axis', 'lr='], /--axis expects key=v1,v2,…, got "lr="/],
      [
        ['grid', ...base, '--axis', 'temperature=0.2,0.5', '--seeds', '0'],
        /--seeds must be a whole number from 1 to 10, got "0"/,
      ],
      [['grid', ...base, '--axis', 'temperature=0.2,0.5', '--slurm-time', '5'], /add --executor slurm/],
      [
        ['grid', ...base, '--axis', 'temperature=0.2,0.5', '--executor', 'cloud'],
        /unknown executor "cloud"; executors: local, slurm/,
      ],
      [['train', ...base, '--slurm-time', '5'], /add --executor slurm/],
      [['train', ...base, '--executor', 'cloud'], /unknown executor "cloud"/],
      [['train', ...base, '--no-wait'], /--no-wait leaves a Slurm run to the cluster/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [i, r] of results.entries()) {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.split('\n'), args.join(' ')).toEqual([expect.stringMatching(/^contrastlab: /), '']);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.existsSync(db)).toBe(false);
  });
});
