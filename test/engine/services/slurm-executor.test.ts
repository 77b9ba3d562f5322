/**
 * The Slurm executor against a real one-node Slurm cluster (scripts/slurm-cluster.sh): grids as array
 * jobs, every point recorded once, and each way a job ends — scancel, the time limit then a resume
 * through Slurm, a worker killed on the node.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricPoint, Run } from '../../../src-main/domain';
import { inProcessClient } from '../../../src-main/api/in-process';
import type { ContrastLabApi } from '../../../src-main/api/commands';
import { Engine } from '../../../src-main/engine/engine';
import { eventsFile, readEvents } from '../../../src-main/engine/runner/event-file';
import { tempDir } from '../../helpers/cli';
import { slurmMissing } from '../../helpers/slurm';

const missing = slurmMissing();
if (missing) console.warn(`skipping the Slurm executor tests: ${missing}`);

const tiny = {
  method: 'simclr',
  dataset: { id: 'synthetic' as const, trainSize: 64, testSize: 32 },
  config: { epochs: 1, width: 4, batchSize: 16, projectionHiddenDim: 32, linearProbe: false },
};

let dir: string;
let engine: Engine;
/** The API with its argument checks, as every client calls it. */
let api: ContrastLabApi;

beforeAll(() => {
  if (missing) return;
  dir = tempDir('contrastlab-slurm-');
  engine = new Engine(path.join(dir, 'lab.db'), { slurmPollIntervalMs: 300 });
  api = inProcessClient(engine.api);
});

afterAll(async () => {
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `check` returns a value, polling; fails after `seconds`. */
async function until<T>(
  what: string,
  seconds: number,
  check: () => T | null | undefined | Promise<T | null | undefined>,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The node-side worker's process id, from the line it logs first. */
async function workerPid(run: Run): Promise<number> {
  return until('the worker to start', 120, async () => {
    const line = (await api.getLogs(run.id)).find((l) => /^Slurm job \S+ on .*, pid \d+$/.test(l.message));
    return line ? Number(/pid (\d+)$/.exec(line.message)![1]) : null;
  });
}

const pointKey = (p: MetricPoint) => `${p.runId}|${p.key}|${p.step}|${p.value}|${p.wallTime}`;

// The runs of these tests train side by side on the cluster: the time-limit test waits out Slurm's clock
// while the others run.
describe.skipIf(missing !== null).concurrent('the Slurm executor on a real cluster', () => {
  it('runs a 2×2 grid with 2 seeds as one array job; every point is recorded exactly once, and sync adds nothing', async ({
    expect,
  }) => {
    const grid = await api.createGrid({
      ...tiny,
      rows: { field: 'temperature', values: [0.2, 0.5] },
      cols: { field: 'batchSize', values: [16, 32] },
      seeds: 2,
      metric: 'knn_top1',
      executor: 'slurm',
    });
    const ids = grid.runIds.flat(2);
    expect(ids).toHaveLength(8);
    expect(grid.executor).toBe('slurm');
    const submitted = await api.listRuns();
    const jobIds = ids.map((id) => submitted.find((r) => r.id === id)!.slurm!.jobId);
    // One array job: tasks 0–7 of the same job id.
    const arrayId = jobIds[0]!.split('_')[0];
    expect(jobIds).toEqual(ids.map((_, i) => `${arrayId}_${i}`));

    const ended = await Promise.all(ids.map((id) => engine.waitForRun(id)));
    expect(ended.map((r) => r.status)).toEqual(Array(8).fill('completed'));
    // The worker's own end comes first; Slurm's state follows once the job is over.
    const runs = await until('Slurm to see every job completed', 60, async () => {
      const listed = (await api.listRuns()).filter((r) => ids.includes(r.id));
      return listed.every((r) => r.slurm?.state === 'COMPLETED') ? listed : null;
    });
    for (const run of runs) {
      expect(run.executor).toBe('slurm');
      expect(run.slurm!.node).toBeTruthy();
      expect(run.summary.knn_top1).toBeGreaterThanOrEqual(0);
    }
    // Every point a worker wrote into its events file is in the database exactly once.
    const stored = await api.getMetrics(ids);
    const written: MetricPoint[] = [];
    for (const run of ended) {
      for (const m of readEvents(eventsFile(run.slurm!.runDir), 0).messages) {
        if (m.type === 'metrics') written.push(...m.points);
      }
    }
    expect(written.length).toBeGreaterThan(8 * 5);
    expect(stored.map(pointKey).sort()).toEqual(written.map(pointKey).sort());
    expect(new Set(stored.map(pointKey)).size).toBe(stored.length);

    // Reading every events file again records none of these points twice (other tests' runs, training
    // side by side, may add their own).
    const first = await api.syncSlurmRuns();
    const second = await api.syncSlurmRuns();
    expect([...first.ended, ...second.ended].filter((e) => ids.includes(e.runId))).toEqual([]);
    expect((await api.getMetrics(ids)).map(pointKey).sort()).toEqual(stored.map(pointKey).sort());
  });

  it('a job cancelled with scancel while it trains ends stopped, with its stop checkpoint; reopened, a poll leaves it queued', async ({
    expect,
  }) => {
    const run = await api.createRun({
      ...tiny,
      config: { ...tiny.config, epochs: 500 },
      executor: 'slurm',
    });
    await until('training steps', 120, async () =>
      (await api.getMetrics([run.id], ['loss'])).length > 3 ? true : null,
    );
    execFileSync('scancel', [run.slurm!.jobId]);
    const ended = await engine.waitForRun(run.id);
    expect(ended.status).toBe('stopped');
    expect(ended.error).toBeNull();
    expect(ended.slurm!.state).toMatch(/^CANCELLED/);
    // The worker caught Slurm's SIGTERM and saved where it stopped.
    const checkpoints = await api.listCheckpoints(run.id);
    expect(checkpoints.at(-1)!.step).toBeGreaterThan(0);
    // A resume reopens the run, then submits its new job: a poll in between must not end the run again
    // by the previous job's end. Here the reopening is done by hand and the poll comes before any sbatch.
    const last = checkpoints.at(-1)!;
    const hostId = (engine as unknown as { supervisor: { hostId(): number } }).supervisor.hostId();
    const resume = {
      fromStep: last.step,
      fromEpoch: last.epoch,
      checkpointId: last.id,
      epochsBefore: 500,
      epochs: 500,
    };
    engine.store.reopenRun(run.id, resume, ended.config, hostId);
    await api.syncSlurmRuns();
    expect((await api.getRun(run.id)).status).toBe('queued');
  });

  it('a job past its time limit is interrupted, then resumed through Slurm to completion', async ({
    expect,
  }) => {
    const epochs = 40;
    const run = await api.createRun({
      ...tiny,
      config: { ...tiny.config, epochs, checkpointEvery: 1 },
      executor: 'slurm',
    });
    const pid = await workerPid(run);
    await until('a checkpoint after step 0', 120, async () =>
      (await api.listCheckpoints(run.id)).some((c) => c.step > 0) ? true : null,
    );
    // The job sits out its time: paused, it computes nothing while Slurm's clock runs; its limit drops to
    // one minute (Slurm's smallest), which it has then passed or soon will.
    process.kill(pid, 'SIGSTOP');
    execFileSync('scontrol', ['update', `JobId=${run.slurm!.jobId}`, 'TimeLimit=1']);
    const interrupted = await until('the time limit', 180, async () => {
      const r = await api.getRun(run.id);
      return r.status === 'interrupted' ? r : null;
    });
    expect(interrupted.slurm!.state).toBe('TIMEOUT');
    expect(interrupted.error).toMatch(
      /reached its time limit .*resume it to continue from its last checkpoint/,
    );

    const resumed = await api.resumeRun(run.id, { slurm: { timeLimit: '10' } });
    expect(resumed.status).toBe('queued');
    expect(resumed.slurm!.jobId).not.toBe(run.slurm!.jobId);
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.resumes).toHaveLength(1);
    // One loss point per step from 0 to the last: nothing lost, nothing twice across the two jobs.
    const loss = (await api.getMetrics([run.id], ['loss'])).map((p) => p.step);
    const stepsPerEpoch = Math.ceil(64 / 16);
    expect(new Set(loss).size).toBe(loss.length);
    expect(Math.max(...loss)).toBe(epochs * stepsPerEpoch);
  }, 360_000);

  it('a worker killed on the node fails its run with the reason', async ({ expect }) => {
    const run = await api.createRun({
      ...tiny,
      config: { ...tiny.config, epochs: 500 },
      executor: 'slurm',
    });
    const pid = await workerPid(run);
    process.kill(pid, 'SIGKILL');
    const ended = await engine.waitForRun(run.id);
    expect(ended.status).toBe('failed');
    expect(ended.slurm!.state).toBe('FAILED');
    expect(ended.error).toMatch(
      new RegExp(`^Slurm job ${ended.slurm!.jobId} FAILED on \\S+ \\(killed by signal 9`),
    );
  });
});

// Sequential: these change what every Slurm call of the process sees (its PATH) or count every run.
describe.skipIf(missing !== null)('the Slurm executor when Slurm refuses or does not answer', () => {
  it('Slurm not answering leaves a running run alone: its reports are read in, its state asked again later', async () => {
    const run = await api.createRun({ ...tiny, config: { ...tiny.config, epochs: 500 }, executor: 'slurm' });
    await until('the run to train', 120, async () =>
      (await api.getRun(run.id)).status === 'running' ? true : null,
    );
    const path = process.env.PATH;
    // No Slurm client on this PATH, as on a laptop without `module load slurm`.
    process.env.PATH = '/nonexistent';
    let result;
    try {
      result = await api.syncSlurmRuns();
    } finally {
      process.env.PATH = path;
    }
    expect(result.slurmError).toMatch(/scontrol is not installed here/);
    expect(result.ended).toEqual([]);
    expect((await api.getRun(run.id)).status).toBe('running');
    await api.stopRun(run.id);
    expect((await engine.waitForRun(run.id)).status).toBe('stopped');
  });

  it('refuses a profile Slurm cannot take, and submits nothing', async () => {
    const before = (await api.listRuns()).length;
    await expect(
      api.createRun({ ...tiny, executor: 'slurm', slurm: { timeLimit: 'an hour' } }),
    ).rejects.toThrow(/the time limit must be in Slurm's format/);
    await expect(
      api.createRun({ ...tiny, executor: 'slurm', slurm: { partition: 'nowhere' } }),
    ).rejects.toThrow(/could not submit to Slurm: sbatch: .*partition/i);
    const runs = await api.listRuns();
    // sbatch's refusal fails the recorded run in one line; the bad format records nothing.
    expect(runs.length).toBe(before + 1);
    expect(runs.at(-1)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^could not submit to Slurm/),
    });
  });
});
