import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../../helpers/cli';

/**
 * A host killed outright (SIGKILL: no chance to stop its workers) while its worker's main thread is busy
 * in a long synchronous computation. IPC's 'disconnect' only reaches the worker when that computation
 * ends; the worker must be gone at once anyway.
 */

let dir: string;
const leftovers: number[] = [];
beforeAll(() => {
  dir = tempDir('contrastlab-host-death-');
});
afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A ResNet-18 of width 24 on the default synthetic dataset (2000 + 500 images): its step-0 evaluation,
 * and the probe's feature extraction, take about ten seconds of one synchronous computation here.
 */
const heavy = ['--method', 'simclr', '--backbone', 'resnet18', '--width', '24', '--batch-size', '64'];

/** Whether a process is still running (a zombie waiting for its new parent to reap it is not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function readPid(db: string, sql: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare(sql).pluck().get() as number | null) ?? 0;
  } finally {
    conn.close();
  }
}

/** Resolves when the host prints a line matching `pattern`. */
function printed(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', () =>
      reject(new Error(`the host exited before printing ${pattern}: ${out.slice(-500)} ${err.slice(-500)}`)),
    );
  });
}

/** SIGKILLs the host and says how long its worker outlived it (capped at `limitMs`). */
async function killHost(host: ChildProcess, workerPid: number, limitMs = 5_000): Promise<number> {
  const exited = new Promise((r) => host.once('exit', r));
  host.kill('SIGKILL');
  await exited;
  const start = Date.now();
  while (alive(workerPid) && Date.now() - start < limitMs) await new Promise((r) => setTimeout(r, 50));
  return Date.now() - start;
}

describe('a worker whose host dies', () => {
  it('a run worker busy in its step-0 evaluation is gone within 2 s', async () => {
    const db = path.join(dir, 'run.db');
    const host = startCli(['train', ...heavy, '--epochs', '1', '--db', db, '--json']);
    // Logged just before the step-0 evaluation starts.
    await printed(host, /batches are drawn in/);
    const worker = readPid(db, 'SELECT worker_pid FROM runs');
    expect(worker).toBeGreaterThan(0);
    leftovers.push(worker);
    // Well inside the evaluation.
    await new Promise((r) => setTimeout(r, 500));
    expect(alive(worker)).toBe(true);
    expect(await killHost(host, worker)).toBeLessThan(2_000);
  });

  it('a job worker busy extracting features is gone within 2 s', async () => {
    const db = path.join(dir, 'job.db');
    // A run with a checkpoint to probe: stopped after its first step (checkpoints at step 0 and there).
    const train = startCli(['train', ...heavy, '--epochs', '1', '--db', db, '--json']);
    await printed(train, /"event":"progress"/);
    train.kill('SIGINT');
    await new Promise((r) => train.once('exit', r));

    const host = startCli(['probe', '1', '--db', db, '--json']);
    // The job's first stage; the dataset, the checkpoint, then the features of the training images follow.
    await printed(host, /loading the dataset/);
    const worker = readPid(db, 'SELECT worker_pid FROM jobs');
    expect(worker).toBeGreaterThan(0);
    leftovers.push(worker);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(alive(worker)).toBe(true);
    expect(await killHost(host, worker)).toBeLessThan(2_000);
  });
});
