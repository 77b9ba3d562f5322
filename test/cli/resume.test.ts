/** `contrastlab resume`: the real CLI continues a stopped run, and continues a completed one for more epochs. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src-main/api/events';
import { Engine } from '../../src-main/engine/engine';
import { Store } from '../../src-main/engine/store/store';
import { runCli, tempDir } from '../helpers/cli';
import { tinyRun } from '../helpers/runs';

let dir: string;
let db: string;
let runId: number;
/** The step the stopped run reached (its stop checkpoint's). */
let stoppedAt: number;

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const losses = (id: number) => {
  const store = new Store(db, { create: false });
  try {
    return store.metrics([id], ['loss']).map((p) => p.step);
  } finally {
    store.close();
  }
};

beforeAll(async () => {
  dir = tempDir('contrastlab-resume-cli-');
  db = path.join(dir, 'lab.db');
  // A 4-epoch run (2 steps an epoch) stopped after about its third step: a stop checkpoint mid-run.
  const engine = new Engine(db);
  const run = await engine.api.createRun({
    ...tinyRun,
    config: { ...tinyRun.config, epochs: 4, linearProbe: false },
  });
  runId = run.id;
  const stopped = new Promise<void>((resolve) =>
    engine.on((e: EngineEvent) => {
      if (e.event === 'progress' && e.progress.runId === runId && e.progress.step === 3) {
        void engine.api.stopRun(runId).then(() => resolve());
      }
    }),
  );
  await stopped;
  expect((await engine.waitForRun(runId)).status).toBe('stopped');
  await engine.close();
  stoppedAt = Math.max(...losses(runId));
  expect(stoppedAt).toBeLessThan(8);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab resume', () => {
  it('continues a stopped run under its id to completion, each step recorded once', async () => {
    const before = losses(runId);
    const r = await runCli(['resume', String(runId), '--db', db, '--json']);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events[0]).toMatchObject({ event: 'run-created', run: { id: runId, status: 'queued' } });
    expect(events.at(-1)).toMatchObject({ event: 'finished', runId, status: 'completed' });
    const after = losses(runId);
    expect(after).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('refuses a completed run without --epochs in one line, and continues it with them', async () => {
    const refused = await runCli(['resume', String(runId), '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/has completed its 4 epochs; continue it for more/);

    const r = await runCli(['resume', String(runId), '--db', db, '--epochs', '1', '--json']);
    expect(r.code).toBe(0);
    expect(losses(runId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const final = jsonLines(r.stdout).at(-1);
    expect(final).toMatchObject({ status: 'completed' });
    const store = new Store(db, { create: false });
    expect(store.getRun(runId)!.resumes.map((x) => [x.fromStep, x.epochsBefore, x.epochs])).toEqual([
      [stoppedAt, 4, 4],
      [8, 4, 5],
    ]);
    store.close();
  });
});
