/** Resuming a run through the API: what the engine refuses, in one line, before anything changes. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import { tempDir } from '../../helpers/cli';
import { tinyRun } from '../../helpers/runs';

let dir: string;
let engine: Engine;
beforeAll(() => {
  dir = tempDir('contrastlab-resume-');
  engine = new Engine(path.join(dir, 'lab.db'));
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = { method: 'simclr', dataset: { id: 'synthetic' as const }, config: { epochs: 2 }, name: 'r' };

describe('resumeRun refuses', () => {
  it('a run that has not stopped, and a completed run without more epochs', async () => {
    const queued = engine.store.createRun(input);
    await expect(engine.api.resumeRun(queued.id)).rejects.toThrow(
      `run ${queued.id} is queued; it can be resumed once it has stopped`,
    );
    const done = engine.store.createRun(input);
    engine.store.markEnded(done.id, 'completed');
    await expect(engine.api.resumeRun(done.id)).rejects.toThrow(
      /has completed its 2 epochs; continue it for more/,
    );
  });

  it('a run without a checkpoint, a checkpoint of another run, and a checkpoint whose file is gone', async () => {
    const stopped = engine.store.createRun(input);
    engine.store.markEnded(stopped.id, 'stopped');
    await expect(engine.api.resumeRun(stopped.id)).rejects.toThrow(/has no checkpoint to resume from/);
    const other = engine.store.createRun(input);
    const foreign = engine.store.checkpoints.add({
      runId: other.id,
      step: 4,
      epoch: 1,
      path: path.join(dir, 'x.ckpt'),
      bytes: 1,
    });
    await expect(engine.api.resumeRun(stopped.id, { checkpointId: foreign.id })).rejects.toThrow(
      `run ${stopped.id} has no checkpoint with id ${foreign.id}`,
    );
    const gone = engine.store.checkpoints.add({
      runId: stopped.id,
      step: 4,
      epoch: 1,
      path: path.join(dir, 'gone.ckpt'),
      bytes: 1,
    });
    await expect(engine.api.resumeRun(stopped.id, { checkpointId: gone.id })).rejects.toThrow(/is gone/);
    // Nothing changed.
    expect(await engine.api.getRun(stopped.id)).toMatchObject({ status: 'stopped', resumes: [] });
  });
});

describe('automatic resume of interrupted runs', () => {
  it('is off by default; with the setting on, a host resumes the runs it finds interrupted', async () => {
    const db = path.join(dir, 'auto.db');
    const first = new Engine(db);
    const run = await first.api.createRun({
      ...tinyRun,
      config: { ...tinyRun.config, epochs: 2, linearProbe: false },
    });
    const done = await first.waitForRun(run.id);
    expect(done.status).toBe('completed');
    await first.close();
    // As if its host had died mid-run: running, owned by a host whose process is gone.
    const crash = () => {
      const conn = new Database(db);
      const host = conn
        .prepare("INSERT INTO hosts (pid, started_at, heartbeat_at) VALUES (?, 'x', 0)")
        .run(2 ** 30);
      conn
        .prepare("UPDATE runs SET status = 'running', ended_at = NULL, host_id = ? WHERE id = ?")
        .run(host.lastInsertRowid, run.id);
      conn.close();
    };

    crash();
    const off = new Engine(db, { autoResume: true });
    await off.autoResuming;
    expect((await off.api.getRun(run.id)).status).toBe('interrupted');
    await off.api.updateSettings({ autoResumeInterrupted: true });
    await off.close();

    crash();
    const on = new Engine(db, { autoResume: true });
    await on.autoResuming;
    const resumed = await on.api.getRun(run.id);
    expect(resumed.resumes).toHaveLength(1);
    expect((await on.waitForRun(run.id)).status).toBe('completed');
    await on.close();
  });
});

describe('torn and unrecorded checkpoints', () => {
  it('are skipped with a line in the run log, and the run resumes from the latest whole one', async () => {
    const db = path.join(dir, 'torn.db');
    const engine = new Engine(db);
    const run = await engine.api.createRun({
      ...tinyRun,
      config: { ...tinyRun.config, epochs: 3, linearProbe: false },
    });
    await engine.waitForRun(run.id);
    const checkpoints = await engine.api.listCheckpoints(run.id);
    expect(checkpoints.map((c) => c.step)).toEqual([0, 2, 4, 6]);
    const folder = path.join(dir, 'checkpoints', `run-${run.id}`);
    // The last one torn (a crash while it was written), and a file the database never recorded.
    const last = path.join(folder, 'step-6.ckpt');
    fs.truncateSync(last, fs.statSync(last).size - 100);
    fs.copyFileSync(path.join(folder, 'step-2.ckpt'), path.join(folder, 'step-5.ckpt'));
    const conn = new Database(db);
    conn.prepare("UPDATE runs SET status = 'interrupted' WHERE id = ?").run(run.id);
    conn.close();

    const resumed = await engine.api.resumeRun(run.id);
    expect(resumed.resumes[0]).toMatchObject({ fromStep: 4, checkpointId: checkpoints[2]!.id });
    const log = (await engine.api.getLogs(run.id)).map((l) => l.message);
    expect(log).toContainEqual(
      expect.stringMatching(/^skipped the checkpoint of step 6: checkpoint .*step-6\.ckpt /),
    );
    expect(log).toContain('ignored checkpoint files the database never recorded: step-5.ckpt');
    expect((await engine.waitForRun(run.id)).status).toBe('completed');
    await engine.close();
  });
});
