import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, Run } from '../../../src-main/domain';
import { Store } from '../../../src-main/engine/store/store';
import { repoRoot, startCli, tempDir } from '../../helpers/cli';
import { call, EventLog, tinyRun } from '../../helpers/runs';

/**
 * Storage faults while a run reports, with `contrastlab serve` as the engine host: another process holding
 * the database's write lock for longer than busy_timeout (5 s), and a disk that fills up. The host must
 * survive both, end or keep the run with one clear line, and leave a consistent database.
 */

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-storage-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Host {
  child: ChildProcess;
  base: string;
  auth: Record<string, string>;
  events: EventLog;
  stderr: () => string;
  /** SIGTERM, and the exit code. */
  close(): Promise<number | null>;
}

async function serve(db: string): Promise<Host> {
  const child = startCli(['serve', '--db', db, '--static', path.join(dir, 'no-renderer'), '--port', '0']);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 600 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
  const match = /127\.0\.0\.1:(\d+)\/\?token=(\w+)/.exec(stdout);
  if (!match) throw new Error(`serve printed no URL: ${stdout}${stderr}`);
  const [, port, token] = match;
  const auth = { 'x-contrastlab-token': token! };
  const events = await EventLog.open(`ws://127.0.0.1:${port}/events`, auth);
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    auth,
    events,
    stderr: () => stderr,
    async close() {
      events.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const ended = (id: number) => (e: { event: string; run?: Run }) =>
  e.event === 'run-updated' && e.run!.id === id && e.run!.status !== 'queued' && e.run!.status !== 'running';

function integrity(db: string): string {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.pragma('integrity_check', { simple: true }) as string;
  } finally {
    conn.close();
  }
}

describe('storage faults while a run reports', () => {
  it('waits out another process holding the write lock for 10 s, says so once, and keeps serving', async () => {
    const db = path.join(dir, 'locked.db');
    new Store(db).close();
    const host = await serve(db);
    let locker: ChildProcess | undefined;
    try {
      // Four epochs of two steps: still reporting when the lock is taken.
      const config = { ...tinyRun.config, epochs: 4 };
      const created = await call(
        host.base,
        'createRun',
        [{ ...tinyRun, config, name: 'locked out' }],
        host.auth,
      );
      const run = created.body.result as Run;
      await host.events.waitFor(
        (e) => e.event === 'run-updated' && e.run.id === run.id && e.run.status === 'running',
      );

      // A second process on the same file takes the write lock and keeps it for 10 s.
      locker = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]);
           db.exec('BEGIN IMMEDIATE');
           console.log('locked');
           setTimeout(() => { db.exec('COMMIT'); db.close(); }, 10000);`,
          db,
        ],
        { cwd: repoRoot },
      );
      const lockerExit = new Promise<number | null>((resolve) => locker!.once('exit', resolve));
      await new Promise<void>((resolve) => locker!.stdout!.once('data', () => resolve()));

      // Meanwhile the host answers API calls (a write waiting for the lock holds it up to 5 s at a time).
      const answers: number[] = [];
      while (
        (await Promise.race([lockerExit, new Promise((r) => setTimeout(() => r('busy'), 500))])) === 'busy'
      ) {
        answers.push(await listRunsStatus(host));
      }
      expect(await lockerExit).toBe(0);
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every((s) => s === 200)).toBe(true);

      const end = await host.events.waitFor(ended(run.id), 120_000);
      expect(end).toMatchObject({ run: { status: 'completed', error: null } });
      const logs = (await call(host.base, 'getLogs', [run.id], host.auth)).body.result as LogLine[];
      const said = logs.filter((l) => /locked/.test(l.message));
      expect(said.map((l) => l.message)).toEqual([
        expect.stringMatching(
          /^the database is locked by another process: database is locked; the run's reports waited \d+\.\d s and are recorded$/,
        ),
      ]);
      // What was reported during the lock is there: the points of the last step, the final checkpoint.
      const metrics = (await call(host.base, 'getMetrics', [[run.id], ['loss']], host.auth)).body.result as {
        step: number;
      }[];
      expect(metrics.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const checkpoints = (await call(host.base, 'listCheckpoints', [run.id], host.auth)).body.result as {
        step: number;
      }[];
      expect(checkpoints.map((c) => c.step)).toContain(8);
      expect(host.child.exitCode).toBeNull();
    } finally {
      locker?.kill();
      expect(await host.close()).toBe(0);
    }
    expect(integrity(db)).toBe('ok');
    expect(host.stderr()).not.toMatch(/SqliteError|\n\s+at /);
  });

  it('fails the run with "disk full" when the disk fills up, keeps serving, and records it once there is room', async (ctx) => {
    const mount = path.join(dir, 'small-disk');
    fs.mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (e) {
      ctx.skip(
        true,
        `cannot mount a small tmpfs here (${String((e as Error).message).split('\n')[0]}); run as root`,
      );
    }
    const filler = path.join(mount, 'filler');
    let host: Host | undefined;
    try {
      const db = path.join(mount, 'lab.db');
      new Store(db).close();
      // Checkpoints go beside the database; kept off the small disk, the database is what fills it.
      fs.mkdirSync(path.join(dir, 'elsewhere'));
      fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(mount, 'checkpoints'));
      host = await serve(db);
      const created = await call(
        host.base,
        'createRun',
        [{ ...tinyRun, config: { ...tinyRun.config, epochs: 20 }, name: 'disk full' }],
        host.auth,
      );
      const run = created.body.result as Run;
      await host.events.waitFor((e) => e.event === 'metrics' && e.points[0]?.runId === run.id);
      const conn = new Database(db, { readonly: true });
      const workerPid =
        (conn.prepare('SELECT worker_pid FROM runs WHERE id = ?').pluck().get(run.id) as number) ?? 0;
      conn.close();
      expect(workerPid).toBeGreaterThan(0);

      // Another program fills the disk.
      const fd = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(64 << 10));
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(fd);
      }

      const end = await host.events.waitFor(ended(run.id), 60_000);
      expect(end).toMatchObject({ run: { status: 'failed', error: expect.stringMatching(/^disk full: /) } });
      expect((end as { run: Run }).run.error).not.toContain('\n');
      // Nothing more it computes could be recorded: the worker is gone.
      await expect.poll(() => alive(workerPid), { timeout: 5_000 }).toBe(false);
      expect((await call(host.base, 'listRuns', [], host.auth)).status).toBe(200);

      // Once there is room again, the database records the end.
      fs.rmSync(filler);
      await expect
        .poll(
          async () => ((await call(host!.base, 'getRun', [run.id], host!.auth)).body.result as Run).status,
          {
            timeout: 10_000,
          },
        )
        .toBe('failed');
      const recorded = (await call(host.base, 'getRun', [run.id], host.auth)).body.result as Run;
      expect(recorded.error).toMatch(/^disk full: database or disk is full$/);
      expect(host.child.exitCode).toBeNull();
      expect(await host.close()).toBe(0);
      host = undefined;
      expect(integrity(db)).toBe('ok');
    } finally {
      await host?.close();
      execFileSync('umount', ['-l', mount]);
    }
  });
});

/**
 * POST /api/listRuns on a connection of its own. A reused keep-alive connection could be closed by the
 * server's idle timer just as the request goes out (it fires late after the loop was held up by a wait
 * for the lock), and the client would see a reset that says nothing about the host.
 */
function listRunsStatus(host: Host): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${host.base}/api/listRuns`,
      { method: 'POST', agent: false, headers: { ...host.auth, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('{"args":[]}');
  });
}

/** Whether a process is still running (a zombie is not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
