import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine';
import { jsonLines, runCli, tempDir } from '../helpers/cli';
import { tinyRun } from '../helpers/runs';

let dir: string;
let db: string;
let runId: number;
let step0: number;

beforeAll(async () => {
  dir = tempDir('contrastlab-cli-probe-');
  db = path.join(dir, 'lab.db');
  const engine = new Engine(db);
  const run = await engine.api.createRun({ ...tinyRun, config: { ...tinyRun.config, linearProbe: false } });
  await engine.waitForRun(run.id);
  runId = run.id;
  step0 = (await engine.api.listCheckpoints(run.id)).find((c) => c.step === 0)!.id;
  await engine.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab probe', () => {
  it("probes a run's checkpoint and prints top-1 / top-5; the result lands in the run's metrics", async () => {
    const r = await runCli(['probe', String(runId), '--checkpoint', String(step0), '--db', db]);
    expect(r.stderr).toMatch(/features of 128 training images/);
    expect(r.code).toBe(0);
    // The run's own probeOptimizer by default: Adam.
    const m = /checkpoint (\d+) \(step 0\): linear probe top-1 ([\d.]+)%, top-5 ([\d.]+)% \(adam\)/.exec(
      r.stdout,
    );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(step0);
    const [top1, top5] = [Number(m![2]), Number(m![3])];
    expect(top1).toBeGreaterThan(0);
    expect(top5).toBeGreaterThanOrEqual(top1);

    const runs = JSON.parse((await runCli(['runs', '--db', db, '--json'])).stdout) as {
      summary: Record<string, number>;
    }[];
    expect(100 * runs[0]!.summary.probe_top1!).toBeCloseTo(top1, 1);
  });

  it('--json prints every job update, ending with the completed job; --optimizer sgd is its params', async () => {
    const r = await runCli(['probe', String(runId), '--optimizer', 'sgd', '--db', db, '--json']);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout) as { event: string; job: { status: string; result: unknown } }[];
    expect(events.every((e) => e.event === 'job-updated')).toBe(true);
    expect(events.at(-1)!.job).toMatchObject({
      status: 'completed',
      params: { optimizer: 'sgd' },
      result: { top1: expect.any(Number) },
    });
  });

  it('refuses an unknown run or checkpoint with one line and exit code 2', async () => {
    const noRun = await runCli(['probe', '999', '--db', db]);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr.trim()).toBe('contrastlab: no run with id 999');
    const noCheckpoint = await runCli(['probe', String(runId), '--checkpoint', '999', '--db', db]);
    expect(noCheckpoint.code).toBe(2);
    expect(noCheckpoint.stderr).toMatch(/has no checkpoint with id 999/);
    const optimizer = await runCli(['probe', String(runId), '--optimizer', 'lbfgs', '--db', db]);
    expect(optimizer.code).toBe(2);
    expect(optimizer.stderr.trim()).toBe('contrastlab: --optimizer must be adam or sgd, not lbfgs');
    const bad = await runCli(['probe', 'x', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/run id must be a positive integer/);
  });
});
