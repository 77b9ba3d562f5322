/**
 * Migration 5 and the Slurm jobs table: a database written before it keeps its runs and grids (a grid's
 * cells become cells of one run), each Slurm run keeps how far its events file was read across
 * resubmissions, and a Slurm run is never taken for cut off because the host that submitted it is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSlurmProfile, type ExecutorId } from '../../../src-main/domain';
import { migrations } from '../../../src-main/engine/store/migrations';
import { Store } from '../../../src-main/engine/store/store';
import { tempDir } from '../../helpers/cli';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('contrastlab-slurm-jobs-');
  file = path.join(dir, 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const input = (executor: ExecutorId, name: string = executor) => ({
  method: 'simclr',
  dataset: { id: 'synthetic' as const },
  config: { epochs: 1 },
  name,
  executor,
});

const job = (runId: number, jobId: string) => ({
  runId,
  jobId,
  runDir: `/shared/run-${runId}-abcd`,
  scriptPath: `/shared/jobs/run-${runId}.sbatch`,
  outputPath: `/shared/run-${runId}-abcd/slurm-${jobId}.out`,
  profile: { ...defaultSlurmProfile, partition: 'gpu', timeLimit: '30' },
});

/** A database as ContrastLab wrote it before migration 5: a 2×2 grid of four completed runs. */
function writeOldDatabase(): void {
  const db = new Database(file);
  for (const [v, sql] of migrations.slice(0, 4).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${v + 1}`);
  }
  const insertRun = db.prepare(
    `INSERT INTO runs (name, method, status, dataset_json, backend_preference, config_json, created_at, ended_at)
     VALUES (?, 'simclr', 'completed', '{"id":"synthetic"}', 'auto', ?, '2025-01-01T00:00:00Z', '2025-01-01T00:10:00Z')`,
  );
  const cells = [
    [0.2, 0.08],
    [0.2, 0.5],
    [0.5, 0.08],
    [0.5, 0.5],
  ] as const;
  for (const [t, s] of cells) {
    insertRun.run(
      `old: temperature=${t}, cropMinScale=${s}`,
      JSON.stringify({ temperature: t, cropMinScale: s }),
    );
  }
  db.prepare("INSERT INTO metrics VALUES (1, 8, 1, 'probe_top1', 0.41, 100)").run();
  db.prepare(
    `INSERT INTO grids (name, method, rows_json, cols_json, metric, run_ids_json, created_at)
     VALUES ('old grid', 'simclr', ?, ?, 'probe_top1', '[[1,2],[3,4]]', '2025-01-01T00:00:00Z')`,
  ).run(
    JSON.stringify({ field: 'temperature', values: [0.2, 0.5] }),
    JSON.stringify({ field: 'cropMinScale', values: [0.08, 0.5] }),
  );
  db.close();
}

describe('migration 5', () => {
  it("opens a database of migrations 1–4: an old grid's cells are cells of one run; its runs are local", () => {
    writeOldDatabase();
    const store = new Store(file);
    const grid = store.grids.get(1)!;
    expect(grid).toMatchObject({
      name: 'old grid',
      rows: { field: 'temperature', values: [0.2, 0.5] },
      cols: { field: 'cropMinScale', values: [0.08, 0.5] },
      metric: 'probe_top1',
      executor: 'local',
      runIds: [
        [[1], [2]],
        [[3], [4]],
      ],
    });
    // One run per cell, with its config's seed: one seed.
    expect(grid.seeds).toHaveLength(1);
    expect(store.grids.list()).toEqual([grid]);
    const runs = store.listRuns();
    expect(runs.map((r) => [r.id, r.status, r.executor, r.slurm])).toEqual([
      [1, 'completed', 'local', null],
      [2, 'completed', 'local', null],
      [3, 'completed', 'local', null],
      [4, 'completed', 'local', null],
    ]);
    expect(runs[0]!.summary).toEqual({ probe_top1: 0.41 });
    expect(store.slurmJobs.all()).toEqual([]);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('a grid recorded after it keeps its runs per seed; a run takes only a known executor', () => {
    writeOldDatabase();
    const store = new Store(file);
    const created = store.grids.create({
      name: 'seeds',
      method: 'simclr',
      rows: { field: 'temperature', values: [0.2, 0.5] },
      cols: null,
      seeds: [3, 4],
      executor: 'slurm',
      metric: 'knn_top1',
    });
    const grid = store.grids.setRunIds(created.id, [[[5, 6]], [[7, 8]]]);
    expect(grid).toMatchObject({
      cols: null,
      seeds: [3, 4],
      executor: 'slurm',
      runIds: [[[5, 6]], [[7, 8]]],
    });
    expect(store.grids.get(1)!.runIds).toEqual([
      [[1], [2]],
      [[3], [4]],
    ]);
    expect(() => store.createRun(input('cloud' as ExecutorId))).toThrow(/CHECK constraint/);
    store.close();
  });
});

describe('the slurm_jobs table', () => {
  it('records a submission; a resubmission replaces the job and its state but keeps the events offset', () => {
    const store = new Store(file);
    const run = store.createRun(input('slurm'));
    expect(run.slurm).toBeNull();
    store.slurmJobs.submitted(job(run.id, '100'));
    const first = store.slurmJobs.get(run.id)!;
    expect(first).toMatchObject({
      ...job(run.id, '100'),
      state: '',
      node: null,
      reason: null,
      eventsOffset: 0,
      workerEnd: null,
    });
    expect(Date.parse(first.submittedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(store.getRun(run.id)!.slurm).toEqual({
      jobId: '100',
      state: '',
      node: null,
      reason: null,
      runDir: `/shared/run-${run.id}-abcd`,
    });

    // The first job ran, its reports were read up to byte 4096, then it hit its time limit.
    store.slurmJobs.setState(run.id, { state: 'TIMEOUT', node: 'node07', reason: 'TimeLimit' });
    store.slurmJobs.setEventsOffset(run.id, 4096);
    store.slurmJobs.setWorkerEnd(run.id, { status: 'stopped' });
    expect(store.getRun(run.id)!.slurm).toMatchObject({
      state: 'TIMEOUT',
      node: 'node07',
      reason: 'TimeLimit',
    });

    // Resumed as a new job with a longer time: its worker appends to the same events file.
    const again = { ...job(run.id, '205'), profile: { ...defaultSlurmProfile, timeLimit: '120' } };
    store.slurmJobs.submitted(again);
    const second = store.slurmJobs.get(run.id)!;
    expect(second).toMatchObject({
      ...again,
      state: '',
      node: null,
      reason: null,
      workerEnd: null,
      eventsOffset: 4096,
    });
    store.close();
    // Kept on disk.
    const reopened = new Store(file);
    expect(reopened.slurmJobs.get(run.id)).toEqual(second);
    expect(reopened.slurmJobs.all()).toEqual([second]);
    reopened.close();
  });

  it('deleting a run deletes its job row, and only its own', () => {
    const store = new Store(file);
    const [a, b] = [store.createRun(input('slurm', 'a')), store.createRun(input('slurm', 'b'))];
    store.slurmJobs.submitted(job(a.id, '300_0'));
    store.slurmJobs.submitted(job(b.id, '300_1'));
    expect([...store.slurmJobs.ofRuns([a.id, b.id]).keys()]).toEqual([a.id, b.id]);
    store.deleteRun(a.id);
    expect(store.slurmJobs.get(a.id)).toBeNull();
    expect(store.slurmJobs.all().map((j) => [j.runId, j.jobId])).toEqual([[b.id, '300_1']]);
    store.close();
  });

  it('marks a local run of a gone host interrupted, never a Slurm run: Slurm says when that ends', () => {
    const store = new Store(file);
    const goneHost = store.hosts.register(987_654);
    const localQueued = store.createRun(input('local', 'local queued'), goneHost);
    const localRunning = store.createRun(input('local', 'local running'), goneHost);
    store.markStarted(localRunning.id, 'wasm', 'CPU', 987_655);
    const slurmQueued = store.createRun(input('slurm', 'slurm queued'), goneHost);
    store.slurmJobs.submitted(job(slurmQueued.id, '400'));
    const slurmRunning = store.createRun(input('slurm', 'slurm running'), goneHost);
    store.slurmJobs.submitted(job(slurmRunning.id, '401'));
    store.markStarted(slurmRunning.id, 'wasm', 'CPU', null);
    // Recorded without a host (as before hosts were): the worker pid decides for a local run.
    const slurmHostless = store.createRun(input('slurm', 'slurm, no host'));
    store.close();

    // Another process opens the database: host 987654 is gone.
    const other = new Store(file);
    const nothingAlive = () => false;
    expect(other.markInterrupted(nothingAlive).sort()).toEqual([localQueued.id, localRunning.id].sort());
    const status = (id: number) => other.getRun(id)!.status;
    expect([localQueued.id, localRunning.id].map(status)).toEqual(['interrupted', 'interrupted']);
    expect([slurmQueued.id, slurmRunning.id, slurmHostless.id].map(status)).toEqual([
      'queued',
      'running',
      'queued',
    ]);
    expect(other.getRun(slurmRunning.id)!.error).toBeNull();
    // And again: nothing more.
    expect(other.markInterrupted(nothingAlive)).toEqual([]);
    other.close();
  });
});
