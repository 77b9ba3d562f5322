import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneCheckpoints } from '../../../src-main/engine/services/checkpoint-retention';
import { Store } from '../../../src-main/engine/store/store';
import { tempDir } from '../../helpers/cli';

let dir: string;
beforeEach(() => {
  dir = tempDir('contrastlab-retention-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('checkpoint retention', () => {
  it('keeps step 0 and the latest N, deleting older records and files, but not one a probe is reading', () => {
    const store = new Store(path.join(dir, 'lab.db'));
    const run = store.createRun({ method: 'simclr', dataset: { id: 'synthetic' }, config: {}, name: 'r' });
    const saved = [0, 10, 20, 30, 40].map((step) => {
      const file = path.join(dir, `step-${step}.ckpt`);
      fs.writeFileSync(file, 'x');
      return store.checkpoints.add({ runId: run.id, step, epoch: step / 10, path: file, bytes: 1 });
    });
    // A linear probe of step 10 is still running.
    store.jobs.create({ runId: run.id, kind: 'linear-probe', checkpointId: saved[1]!.id, pid: process.pid });

    expect(pruneCheckpoints(store, run.id, 0)).toEqual([]);
    expect(pruneCheckpoints(store, run.id, 2)).toEqual([20]);
    expect(store.checkpoints.list(run.id).map((c) => c.step)).toEqual([0, 10, 30, 40]);
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ckpt'))
        .sort(),
    ).toEqual(['step-0.ckpt', 'step-10.ckpt', 'step-30.ckpt', 'step-40.ckpt']);
    store.close();
  });
});
