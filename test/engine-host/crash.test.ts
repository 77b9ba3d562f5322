/**
 * Crash tests: a real engine host (crash-host.ts) trains a run in its real worker, and the test kills
 * the host, or the worker, with SIGKILL at several moments. Afterwards every metric point the host had
 * committed (it prints an event only after writing it) is in the database, `PRAGMA integrity_check` is
 * ok, no process of the run is left after 2 s, the run is `interrupted` (its host died) or `failed` (its
 * worker died under a living host), and resuming it takes it to completion with exactly the losses of
 * an uninterrupted twin.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src-main/api/events';
import type { MetricPoint, Run } from '../../src-main/domain';
import { Engine } from '../../src-main/engine/engine';
import { Store } from '../../src-main/engine/store/store';
import { tempDir } from '../helpers/cli';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const hostScript = path.join(import.meta.dirname, 'crash-host.ts');
type HostEvent = EngineEvent | { event: 'host-run'; run: Run };

/** A crash host: its events as they arrive, and a way to wait for one. */
class Host {
  readonly events: HostEvent[] = [];
  readonly exited: Promise<void>;
  private waiters: { match: (e: HostEvent) => boolean; resolve: () => void }[] = [];

  constructor(readonly process: ChildProcess) {
    readline.createInterface({ input: process.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as HostEvent;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => (w.match(event) ? (w.resolve(), false) : true));
    });
    this.exited = new Promise((resolve) => process.on('exit', () => resolve()));
  }

  static start(db: string, ...args: string[]): Host {
    return new Host(
      spawn(process.execPath, ['--import', tsx, hostScript, db, ...args], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
  }

  waitFor(match: (e: HostEvent) => boolean): Promise<void> {
    if (this.events.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  get runId(): number {
    const created = this.events.find((e) => e.event === 'host-run');
    return (created as { run: Run }).run.id;
  }

  /** The metric points the host reported, each after it had committed them. */
  get committedPoints(): MetricPoint[] {
    return this.events.flatMap((e) => (e.event === 'metrics' ? e.points : []));
  }
}

/** The host's children (its run worker), found before it is killed: they are reparented after. */
function childrenOf(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

/** Whether a process still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pids: number[], withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!pids.some(running)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !pids.some(running);
}

const losses = (points: MetricPoint[]) =>
  points
    .filter((p) => p.key === 'loss')
    .sort((a, b) => a.step - b.step)
    .map((p) => [p.step, p.value] as const);

function readRun(db: string, runId: number) {
  const store = new Store(db, { create: false });
  try {
    return { run: store.getRun(runId)!, points: store.metrics([runId]) };
  } finally {
    store.close();
  }
}

function integrity(db: string): string {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.pragma('integrity_check', { simple: true }) as string;
  } finally {
    conn.close();
  }
}

let dir: string;
let twinLosses: (readonly [number, number])[];

beforeAll(async () => {
  dir = tempDir('contrastlab-crash-');
  const db = path.join(dir, 'twin.db');
  const twin = Host.start(db, 'create');
  await twin.exited;
  const { run, points } = readRun(db, twin.runId);
  expect(run.status).toBe('completed');
  twinLosses = losses(points);
  expect(twinLosses.map(([step]) => step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const progressAt = (step: number) => (e: HostEvent) => e.event === 'progress' && e.progress.step === step;

/** Resumes the run in a new host and checks it completes with the twin's losses, each step once. */
async function resumeToCompletion(db: string, runId: number): Promise<void> {
  const host = Host.start(db, 'resume', String(runId));
  await host.exited;
  const { run, points } = readRun(db, runId);
  expect(run.status).toBe('completed');
  const resumed = losses(points);
  expect(resumed.map(([step]) => step)).toEqual(twinLosses.map(([step]) => step));
  resumed.forEach(([, value], i) => {
    const twin = twinLosses[i]![1];
    expect(Math.abs(value - twin) / Math.abs(twin)).toBeLessThanOrEqual(1e-5);
  });
  expect(integrity(db)).toBe('ok');
}

const hostKills: [string, (e: HostEvent) => boolean][] = [
  ['during a step', progressAt(4)],
  ['during the evaluation after epoch 1', progressAt(3)],
  [
    'during the checkpoint after epoch 1',
    (e) => e.event === 'log' && /epoch 1: kNN top-1/.test(e.line.message),
  ],
  ['right after a metric flush', (e) => e.event === 'metrics' && e.points.some((p) => p.step >= 5)],
];

describe('SIGKILL of the engine host', () => {
  for (const [moment, when] of hostKills) {
    it(`${moment}: nothing committed is lost, no orphan, interrupted, then resumed exactly`, async () => {
      const db = path.join(dir, `host-${moment.replace(/\W+/g, '-')}.db`);
      const host = Host.start(db, 'create');
      await host.waitFor(when);
      const children = childrenOf(host.process.pid!);
      host.process.kill('SIGKILL');
      await host.exited;
      expect(await gone(children, 2000)).toBe(true);

      const { points } = readRun(db, host.runId);
      const stored = new Set(points.map((p) => `${p.step}/${p.key}/${p.value}`));
      const lost = host.committedPoints.filter((p) => !stored.has(`${p.step}/${p.key}/${p.value}`));
      expect(lost).toEqual([]);
      expect(integrity(db)).toBe('ok');
      // Any process opening the database sees the host is gone.
      const engine = new Engine(db);
      expect((await engine.api.getRun(host.runId)).status).toBe('interrupted');
      await engine.close();

      await resumeToCompletion(db, host.runId);
    });
  }

  it('during the step-0 evaluation: the worker does not outlive its host', async () => {
    const db = path.join(dir, 'host-step0.db');
    const host = Host.start(db, 'create');
    await host.waitFor((e) => e.event === 'run-updated' && e.run.status === 'running');
    const children = childrenOf(host.process.pid!);
    expect(children.length).toBeGreaterThan(0);
    host.process.kill('SIGKILL');
    await host.exited;
    expect(await gone(children, 2000)).toBe(true);
    expect(integrity(db)).toBe('ok');
    const engine = new Engine(db);
    expect((await engine.api.getRun(host.runId)).status).toBe('interrupted');
    await engine.close();
  });
});

describe('SIGKILL of the run worker under a living host', () => {
  it('the run fails with the reason, the host carries on, and the run resumes exactly', async () => {
    const db = path.join(dir, 'worker.db');
    const host = Host.start(db, 'create');
    await host.waitFor(progressAt(5));
    const [worker] = childrenOf(host.process.pid!);
    process.kill(worker!, 'SIGKILL');
    // The host records the failure itself and ends, as it does when its run ends.
    await host.exited;
    const { run } = readRun(db, host.runId);
    expect(run).toMatchObject({ status: 'failed', error: 'worker exited (SIGKILL)' });
    expect(integrity(db)).toBe('ok');
    await resumeToCompletion(db, host.runId);
  });
});
