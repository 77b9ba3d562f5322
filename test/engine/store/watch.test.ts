import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src-main/api/events';
import type { MetricPoint } from '../../../src-main/domain';
import { Engine } from '../../../src-main/engine/engine';
import { Store } from '../../../src-main/engine/store/store';
import { ExternalChangeWatcher } from '../../../src-main/engine/store/watch';
import { tempDir } from '../../helpers/cli';

const input = { method: 'simclr', dataset: { id: 'synthetic' as const }, config: { epochs: 1 }, name: 'run' };
const point = (runId: number, step: number): MetricPoint => ({
  runId,
  step,
  epoch: 0,
  key: 'loss',
  value: step,
  wallTime: step,
});

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('contrastlab-watch-');
  file = path.join(dir, 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ExternalChangeWatcher', () => {
  it('reports what a second connection writes, and nothing this connection writes', () => {
    const mine = new Store(file);
    const theirs = new Store(file);
    const own = new Set<number>();
    const events: EngineEvent[] = [];
    const watcher = new ExternalChangeWatcher(mine, {
      isOwnRun: (id) => own.has(id),
      emit: (e) => events.push(e),
    });
    try {
      const before = theirs.createRun({ ...input, name: 'already there' });
      // The watcher was created before this write: it is an external change.
      expect(watcher.poll()).toBe(true);
      expect(events).toMatchObject([{ event: 'run-created', run: { id: before.id, name: 'already there' } }]);
      events.length = 0;

      expect(watcher.poll()).toBe(false);
      const ownRun = mine.createRun({ ...input, name: 'mine' });
      own.add(ownRun.id);
      watcher.noteRun(ownRun);
      mine.addMetrics([point(ownRun.id, 1), point(ownRun.id, 2)]);
      mine.addLogs([{ runId: ownRun.id, time: 1, level: 'info', message: 'own line' }]);
      expect(watcher.poll()).toBe(false);
      expect(events).toEqual([]);

      // Interleaved: own and external writes between two polls; only the external rows are reported.
      const ext = theirs.createRun({ ...input, name: 'from the CLI' });
      mine.addMetrics([point(ownRun.id, 3)]);
      theirs.addMetrics([point(ext.id, 1), point(ext.id, 2)]);
      mine.addMetrics([point(ownRun.id, 4)]);
      theirs.addLogs([{ runId: ext.id, time: 2, level: 'warn', message: 'external line' }]);
      expect(watcher.poll()).toBe(true);
      expect(events.map((e) => e.event)).toEqual(['run-created', 'metrics', 'log']);
      expect(events[0]).toMatchObject({ run: { id: ext.id, name: 'from the CLI', status: 'queued' } });
      expect(events[1]).toMatchObject({ points: [point(ext.id, 1), point(ext.id, 2)] });
      expect(events[2]).toMatchObject({ line: { runId: ext.id, message: 'external line', level: 'warn' } });
      events.length = 0;

      theirs.markStarted(ext.id, 'wasm', 'CPU', null);
      theirs.markEnded(before.id, 'failed', 'boom');
      theirs.updateRunInfo(ownRun.id, { name: 'renamed elsewhere' });
      expect(watcher.poll()).toBe(true);
      expect(events).toMatchObject([
        { event: 'run-updated', run: { id: before.id, status: 'failed', error: 'boom' } },
        { event: 'run-updated', run: { id: ownRun.id, name: 'renamed elsewhere' } },
        { event: 'run-updated', run: { id: ext.id, status: 'running', backend: 'wasm' } },
      ]);
      events.length = 0;

      // Deleting the newest rows lets SQLite reuse their rowids; new external points are still seen.
      theirs.addMetrics([point(ext.id, 3)]);
      expect(watcher.poll()).toBe(true);
      theirs.deleteRun(ext.id);
      expect(watcher.poll()).toBe(true);
      events.length = 0;
      const ext2 = theirs.createRun({ ...input, name: 'second' });
      theirs.addMetrics([point(ext2.id, 7)]);
      expect(watcher.poll()).toBe(true);
      expect(events).toMatchObject([
        { event: 'run-created', run: { id: ext2.id } },
        { event: 'metrics', points: [point(ext2.id, 7)] },
      ]);
      expect(watcher.poll()).toBe(false);
      // The same after this connection deletes the newest rows itself.
      mine.addMetrics([point(ownRun.id, 5)]);
      mine.deleteRun(ownRun.id);
      watcher.forgetRun(ownRun.id);
      expect(watcher.poll()).toBe(false);
      events.length = 0;
      theirs.addMetrics([point(ext2.id, 8)]);
      expect(watcher.poll()).toBe(true);
      expect(events).toMatchObject([{ event: 'metrics', points: [point(ext2.id, 8)] }]);
    } finally {
      watcher.stop();
      mine.close();
      theirs.close();
    }
  });

  it('feeds the engine: a run written by a second Store on the same file arrives as events', async () => {
    const engine = new Engine(file, { watch: { intervalMs: 50 } });
    const other = new Store(file);
    const events: EngineEvent[] = [];
    const off = engine.on((e) => events.push(e));
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(pred()).toBe(true);
    };
    try {
      const run = other.createRun({ ...input, name: 'second store' });
      await until(() => events.some((e) => e.event === 'run-created' && e.run.id === run.id));
      other.markStarted(run.id, 'wasm', 'CPU', null);
      other.addMetrics([point(run.id, 1)]);
      await until(() => events.some((e) => e.event === 'metrics'));
      await until(() => events.some((e) => e.event === 'run-updated' && e.run.status === 'running'));
      expect((await engine.api.listRuns()).map((r) => r.name)).toEqual(['second store']);
    } finally {
      off();
      other.close();
      await engine.close();
    }
  });

  it('is off unless asked for, so the CLI only hears about its own run', async () => {
    const engine = new Engine(file);
    const other = new Store(file);
    const events: EngineEvent[] = [];
    engine.on((e) => events.push(e));
    other.createRun(input);
    await new Promise((r) => setTimeout(r, 700));
    expect(events).toEqual([]);
    other.close();
    await engine.close();
  });
});
