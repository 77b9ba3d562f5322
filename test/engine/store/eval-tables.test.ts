import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { histogramsToCsv } from '../../../src-main/engine/store/csv';
import { Store } from '../../../src-main/engine/store/store';
import type { SimilarityHistogram } from '../../../src-main/domain';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-eval-tables-'));
  file = path.join(dir, 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const newRun = (store: Store, name = 'run') =>
  store.createRun({ method: 'simclr', dataset: { id: 'synthetic' }, config: {}, name });

const histogram = (runId: number, step: number, epoch: number): SimilarityHistogram => ({
  runId,
  step,
  epoch,
  min: -1,
  max: 1,
  positive: [0, 0.25, 0.75, 0],
  negative: [0.5, 0.5, 0, 0],
});

describe('histograms and embeddings tables (migration 2)', () => {
  it('round-trips histograms across re-opening, oldest first, one per step', () => {
    const store = new Store(file);
    const a = newRun(store, 'a').id;
    const b = newRun(store, 'b').id;
    const table = store.histograms;
    table.add(histogram(a, 10, 1));
    table.add(histogram(a, 0, 0));
    table.add(histogram(b, 0, 0));
    // The same step again replaces the first.
    table.add({ ...histogram(a, 10, 1), positive: [1, 0, 0, 0] });
    store.close();

    const reopened = new Store(file);
    const again = reopened.histograms;
    const mine = again.list([a]);
    expect(mine.map((h) => h.step)).toEqual([0, 10]);
    expect(mine[0]).toEqual(histogram(a, 0, 0));
    expect(mine[1]!.positive).toEqual([1, 0, 0, 0]);
    expect(again.list().map((h) => h.runId)).toEqual([a, a, b]);
    // Deleting a run deletes its histograms.
    reopened.deleteRun(a);
    expect(again.list()).toEqual([histogram(b, 0, 0)]);
    reopened.close();
  });

  it('round-trips float32 features and int32 indices bit for bit; keeps only the latest train embedding', () => {
    const store = new Store(file);
    const run = newRun(store).id;
    const table = store.embeddings;
    const features = Float32Array.from([0.1, -0.2, 1 / 3, 1e-8, -0, 3.4e38]);
    table.put({
      runId: run,
      split: 'test',
      step: 0,
      epoch: 0,
      dim: 2,
      indices: Int32Array.from([0, 1, 2]),
      features,
    });
    table.put({
      runId: run,
      split: 'test',
      step: 8,
      epoch: 1,
      dim: 2,
      indices: Int32Array.from([0, 1, 2]),
      features: features.map((v) => v * 2),
    });
    for (const step of [0, 8]) {
      table.put({
        runId: run,
        split: 'train',
        step,
        epoch: step / 8,
        dim: 3,
        indices: Int32Array.from([5, 7]),
        features: features.map((v) => v + step),
      });
    }
    store.close();

    const reopened = new Store(file);
    const again = reopened.embeddings;
    expect(again.epochs(run)).toEqual([
      { step: 0, epoch: 0 },
      { step: 8, epoch: 1 },
    ]);
    expect(again.epochs(run, 'train')).toEqual([{ step: 8, epoch: 1 }]);
    const first = again.get(run, 'test', 0)!;
    expect(first.features).toEqual(features);
    expect(Array.from(first.indices)).toEqual([0, 1, 2]);
    expect(first.dim).toBe(2);
    // Without a step: the latest.
    expect(again.get(run, 'test')!.step).toBe(8);
    expect(again.get(run, 'test')!.features).toEqual(features.map((v) => v * 2));
    const train = again.get(run, 'train')!;
    expect(train).toMatchObject({ step: 8, epoch: 1, dim: 3 });
    expect(Array.from(train.indices)).toEqual([5, 7]);
    expect(train.features).toEqual(features.map((v) => v + 8));
    expect(again.get(run, 'train', 0)).toBeNull();
    expect(again.get(run + 1, 'test')).toBeNull();
    expect(() =>
      again.put({
        runId: run,
        split: 'test',
        step: 9,
        epoch: 1,
        dim: 4,
        indices: Int32Array.from([0]),
        features,
      }),
    ).toThrow(/1 rows of 4 features need 4 values, got 6/);
    reopened.deleteRun(run);
    expect(again.epochs(run)).toEqual([]);
    reopened.close();
  });

  it('exports histograms with one row per run, epoch and bin, edges from min, max and the bin count', () => {
    const store = new Store(file);
    const run = store.getRun(newRun(store, 'a "quoted", name').id)!;
    store.close();
    const csv = histogramsToCsv([histogram(run.id, 0, 0), histogram(run.id, 10, 1)], [run]);
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual([
      'run_id',
      'run_name',
      'step',
      'epoch',
      'bin_low',
      'bin_high',
      'positive',
      'negative',
    ]);
    expect(rows).toHaveLength(1 + 2 * 4);
    // Four bins over [−1, 1]: width 0.5.
    expect(rows[1]).toEqual([String(run.id), 'a "quoted", name', '0', '0', '-1', '-0.5', '0', '0.5']);
    expect(rows[3]).toEqual([String(run.id), 'a "quoted", name', '0', '0', '0', '0.5', '0.75', '0']);
    expect(rows[8]).toEqual([String(run.id), 'a "quoted", name', '10', '1', '0.5', '1', '0', '0']);
  });
});
