/**
 * The local run queue reads its limit, the setting maxConcurrentRuns, whenever a slot could open: raising
 * it in Settings starts a waiting run at once, not when a running one ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src-main/api/events';
import type { ContrastLabApi } from '../../../src-main/api/commands';
import { inProcessClient } from '../../../src-main/api/in-process';
import { Engine } from '../../../src-main/engine/engine';
import { tempDir } from '../../helpers/cli';
import { tinyRun } from '../../helpers/runs';

let dir: string;
let engine: Engine;
let api: ContrastLabApi;
const events: EngineEvent[] = [];

beforeAll(() => {
  dir = tempDir('contrastlab-run-queue-');
  // No maxConcurrentRuns option: the engine follows the setting.
  engine = new Engine(path.join(dir, 'lab.db'));
  engine.on((e) => events.push(e));
  api = inProcessClient(engine.api);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function waitForEvent(match: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  const seen = events.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const off = engine.on((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

const running = (id: number) => (e: EngineEvent) =>
  e.event === 'run-updated' && e.run.id === id && e.run.status === 'running';

describe('run queue', () => {
  it('raising maxConcurrentRuns in the settings starts a waiting run at once', async () => {
    expect((await api.getSettings()).maxConcurrentRuns).toBe(1);
    const quick = { ...tinyRun.config, linearProbe: false, checkpointEvery: 0 };
    // The first trains long enough to be still running when the limit changes; it is stopped after.
    const first = await api.createRun({ ...tinyRun, config: { ...quick, epochs: 500 }, name: 'first' });
    const second = await api.createRun({ ...tinyRun, config: quick, name: 'second' });
    await waitForEvent(running(first.id));
    // One slot: the second waits.
    expect((await api.getRun(second.id)).status).toBe('queued');

    const settings = await api.updateSettings({ maxConcurrentRuns: 2 });
    expect(settings.maxConcurrentRuns).toBe(2);
    await waitForEvent(running(second.id));
    // Both train at once: the first has not ended.
    expect((await api.getRun(first.id)).status).toBe('running');
    const done = await engine.waitForRun(second.id);
    expect(done.status).toBe('completed');

    await api.stopRun(first.id, true);
    const stopped = await engine.waitForRun(first.id);
    expect(stopped.status).toBe('stopped');
    // The second started before the first ended.
    expect(Date.parse(done.startedAt!)).toBeLessThan(Date.parse(stopped.endedAt!));
  });
});
