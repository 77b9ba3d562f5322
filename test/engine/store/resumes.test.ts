/** Reopening a run for a resume (Store.reopenRun), and the settings table. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src-main/domain';
import { Store } from '../../../src-main/engine/store/store';
import { tempDir } from '../../helpers/cli';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('contrastlab-resumes-');
  file = path.join(dir, 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Store.reopenRun', () => {
  it('deletes what came after the checkpoint, records the resume and queues the run again', () => {
    const store = new Store(file);
    const hostId = store.hosts.register(process.pid);
    const run = store.createRun(
      { method: 'simclr', dataset: { id: 'synthetic' }, config: { epochs: 2 }, name: 'r' },
      hostId,
    );
    const point = (step: number) => ({
      runId: run.id,
      step,
      epoch: step / 4,
      key: 'loss',
      value: step,
      wallTime: step,
    });
    store.addMetrics([0, 2, 4, 5, 6].map(point));
    for (const step of [0, 4, 6]) {
      store.histograms.add({
        runId: run.id,
        step,
        epoch: step / 4,
        min: 0,
        max: 1,
        positive: [1],
        negative: [1],
      });
    }
    const checkpoints = [0, 4, 6].map((step) =>
      store.checkpoints.add({
        runId: run.id,
        step,
        epoch: step / 4,
        path: path.join(dir, `step-${step}.ckpt`),
        bytes: 1,
      }),
    );
    store.markEnded(run.id, 'interrupted', 'the process training this run ended unexpectedly');

    const { run: reopened, deletedCheckpointFiles } = store.reopenRun(
      run.id,
      { fromStep: 4, fromEpoch: 1, checkpointId: checkpoints[1]!.id, epochsBefore: 2, epochs: 3 },
      { ...run.config, epochs: 3 },
      hostId,
    );
    expect(reopened).toMatchObject({ status: 'queued', error: null, endedAt: null, config: { epochs: 3 } });
    expect(reopened.resumes).toEqual([
      {
        at: expect.any(String),
        fromStep: 4,
        fromEpoch: 1,
        checkpointId: checkpoints[1]!.id,
        epochsBefore: 2,
        epochs: 3,
      },
    ]);
    expect(store.metrics([run.id]).map((p) => p.step)).toEqual([0, 2, 4]);
    expect(store.histograms.list([run.id]).map((h) => h.step)).toEqual([0, 4]);
    expect(store.checkpoints.list(run.id).map((c) => c.step)).toEqual([0, 4]);
    expect(deletedCheckpointFiles).toEqual([path.join(dir, 'step-6.ckpt')]);
    // The summary is the value at the highest step left.
    expect(reopened.summary.loss).toBe(4);
    store.close();
  });
});

describe('settings', () => {
  it('start at their defaults and keep what was changed', () => {
    const store = new Store(file);
    expect(store.settings.get()).toEqual(defaultSettings);
    expect(store.settings.update({ keepCheckpoints: 3 })).toEqual({ ...defaultSettings, keepCheckpoints: 3 });
    store.close();
    const again = new Store(file);
    expect(again.settings.get()).toEqual({ ...defaultSettings, keepCheckpoints: 3 });
    expect(again.settings.update({ maxConcurrentRuns: 2 }).maxConcurrentRuns).toBe(2);
    again.close();
  });

  it('a Slurm profile saved by an earlier version takes the defaults of the fields added since', () => {
    const store = new Store(file);
    // As a version whose profile had only a partition and a time limit would have saved it.
    store.settings.update({ slurm: { partition: 'gpu', timeLimit: '120' } as typeof defaultSettings.slurm });
    expect(store.settings.get().slurm).toEqual({
      ...defaultSettings.slurm,
      partition: 'gpu',
      timeLimit: '120',
    });
    store.close();
  });
});
