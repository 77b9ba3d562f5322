import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import { ConfigError } from '../../../src-main/domain';
import { Store } from '../../../src-main/engine/store/store';
import type { EngineEvent } from '../../../src-main/api/events';
import type { Run } from '../../../src-main/domain';
import { tempDir } from '../../helpers/cli';
import { tinyRun } from '../../helpers/runs';

let dir: string;
let engine: Engine;
const events: EngineEvent[] = [];
let run: Run;

beforeAll(async () => {
  dir = tempDir('contrastlab-probe-jobs-');
  engine = new Engine(path.join(dir, 'lab.db'));
  engine.on((e) => events.push(e));
  // A tiny synthetic run: 128 training images, batch 64, ConvNet width 8, one epoch (2 steps).
  run = await engine.api.createRun({ ...tinyRun, name: 'probe me' });
  run = await engine.waitForRun(run.id);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('checkpoints and linear-probe jobs', () => {
  it('a run saves checkpoints at step 0 and at its end, beside the database, and reports each', async () => {
    expect(run.status).toBe('completed');
    const checkpoints = await engine.api.listCheckpoints(run.id);
    expect(checkpoints.map((c) => [c.step, c.epoch])).toEqual([
      [0, 0],
      [2, 1],
    ]);
    const folder = path.join(dir, 'checkpoints', `run-${run.id}`);
    expect(fs.readdirSync(folder).sort()).toEqual(['step-0.ckpt', 'step-2.ckpt']);
    for (const c of checkpoints) {
      expect(c.bytes).toBe(fs.statSync(path.join(folder, `step-${c.step}.ckpt`)).size);
      expect(c).not.toHaveProperty('path');
    }
    const reported = events
      .filter((e): e is Extract<EngineEvent, { event: 'checkpoint' }> => e.event === 'checkpoint')
      .map((e) => e.checkpoint);
    expect(reported).toEqual(checkpoints);
  });

  it('the end of the run reports probe_top1 and probe_top5 at the final step', async () => {
    const probe = await engine.api.getMetrics([run.id], ['probe_top1', 'probe_top5']);
    expect(probe.map((p) => [p.key, p.step, p.epoch])).toEqual([
      ['probe_top1', 2, 1],
      ['probe_top5', 2, 1],
    ]);
    for (const p of probe) expect(p.value).toBeGreaterThan(0);
    expect((await engine.api.getRun(run.id)).summary.probe_top1).toBe(probe[0]!.value);
    expect((await engine.api.getLogs(run.id)).some((l) => /linear probe: top-1 .*%/.test(l.message))).toBe(
      true,
    );
  });

  it('probes the step-0 checkpoint as a job, with progress, a result and metric points at step 0', async () => {
    const step0 = (await engine.api.listCheckpoints(run.id)).find((c) => c.step === 0)!;
    const seen = events.length;
    const job = await engine.api.startLinearProbe(run.id, step0.id);
    expect(job).toMatchObject({
      runId: run.id,
      kind: 'linear-probe',
      checkpointId: step0.id,
      status: 'queued',
    });
    const done = await engine.waitForJob(job.id);
    expect(done.status).toBe('completed');
    expect(done.error).toBeNull();
    expect(done.progress).toBe(1);
    expect(done.endedAt).not.toBeNull();
    expect(done.result).toMatchObject({ top1: expect.any(Number), top5: expect.any(Number) });
    expect(done.result!.top5).toBeGreaterThanOrEqual(done.result!.top1);

    const updates = events
      .slice(seen)
      .filter((e): e is Extract<EngineEvent, { event: 'job-updated' }> => e.event === 'job-updated')
      .map((e) => e.job)
      .filter((j) => j.id === job.id);
    const statuses = updates.map((j) => j.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['queued', 'running', 'completed']);
    const progress = updates.map((j) => j.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(updates.length).toBeGreaterThan(4);
    expect(updates.some((j) => /features/.test(j.message))).toBe(true);

    const atStep0 = (await engine.api.getMetrics([run.id], ['probe_top1', 'probe_top5'])).filter(
      (p) => p.step === 0,
    );
    expect(atStep0.map((p) => [p.key, p.value])).toEqual([
      ['probe_top1', done.result!.top1],
      ['probe_top5', done.result!.top5],
    ]);
    // The final step's value is still the run's summary.
    const final = (await engine.api.getMetrics([run.id], ['probe_top1'])).find((p) => p.step === 2)!;
    expect((await engine.api.getRun(run.id)).summary.probe_top1).toBe(final.value);
    const rows = parse(await engine.api.exportCsv('metrics', [run.id]), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.filter((r) => r.key === 'probe_top1').length).toBe(2);
    expect((await engine.api.listJobs(run.id)).map((j) => j.id)).toContain(job.id);
    expect((await engine.api.listJobs()).map((j) => j.id)).toContain(job.id);
  });

  it('probes the latest checkpoint of a finished run by default, and refuses what it cannot probe', async () => {
    const job = await engine.api.startLinearProbe(run.id);
    const latest = (await engine.api.listCheckpoints(run.id)).at(-1)!;
    expect(job.checkpointId).toBe(latest.id);
    // The run's probeOptimizer (Adam by default) is recorded as the job's.
    expect(job.params).toEqual({ optimizer: 'adam' });
    expect((await engine.waitForJob(job.id)).status).toBe('completed');
    await expect(engine.api.startLinearProbe(run.id, 9999)).rejects.toThrow(ConfigError);
    await expect(engine.api.startLinearProbe(run.id, 9999)).rejects.toThrow(/no checkpoint with id 9999/);
    await expect(engine.api.startLinearProbe(4242)).rejects.toThrow(/no run with id 4242/);
    await expect(engine.api.startLinearProbe(run.id, undefined, 'lbfgs' as 'sgd')).rejects.toThrow(
      /optimizer must be adam or sgd/,
    );
  });

  it('a job whose process died is failed when the next engine opens the database', async () => {
    const other = new Store(path.join(dir, 'lab.db'));
    const table = other.jobs;
    // A pid that cannot be alive (beyond pid_max).
    const orphan = table.create({ runId: run.id, kind: 'linear-probe', checkpointId: null, pid: 2 ** 30 });
    other.close();
    const second = new Engine(path.join(dir, 'lab.db'));
    const failed = (await second.api.listJobs(run.id)).find((j) => j.id === orphan.id)!;
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/ended unexpectedly/) });
    await second.close();
  });

  it('deleting a run deletes its checkpoint folder', async () => {
    const folder = path.join(dir, 'checkpoints', `run-${run.id}`);
    expect(fs.existsSync(folder)).toBe(true);
    await engine.api.deleteRun(run.id);
    expect(fs.existsSync(folder)).toBe(false);
    await expect(engine.api.listCheckpoints(run.id)).rejects.toThrow(/no run/);
    // Its jobs and checkpoint rows go with it.
    expect(await engine.api.listJobs()).toEqual([]);
  });
});
