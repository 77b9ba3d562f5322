import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/engine/store/migrations';
import { Store } from '../../../src-main/engine/store/store';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-store-datasets-'));
  file = path.join(dir, 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the datasets table', () => {
  it('adds a dataset once per key, keeps it across re-opening, and forgets it', () => {
    const store = new Store(file);
    const spec = { id: 'imagefolder' as const, dataDir: '/data/pets', imageSize: 96 };
    const added = store.datasets.add({ key: 'imagefolder:/data/pets', spec, name: 'Pets' });
    expect(added).toMatchObject({ key: 'imagefolder:/data/pets', spec, name: 'Pets' });
    expect(Date.parse(added.addedAt)).not.toBeNaN();
    const renamed = store.datasets.add({
      key: 'imagefolder:/data/pets',
      spec: { ...spec, imageSize: 128 },
      name: 'My pets',
    });
    // The same row, its first addition time kept.
    expect(renamed).toEqual({ ...added, name: 'My pets', spec: { ...spec, imageSize: 128 } });
    store.close();

    const again = new Store(file);
    expect(again.datasets.list()).toEqual([renamed]);
    expect(again.datasets.get(renamed.id)).toEqual(renamed);
    expect(again.datasets.remove(renamed.id)).toBe(true);
    expect(again.datasets.remove(renamed.id)).toBe(false);
    expect(again.datasets.list()).toEqual([]);
    again.close();
  });

  it("groups the runs' dataset specs and tells the queued and running ones", () => {
    const store = new Store(file);
    const run = (dataset: object) =>
      store.createRun({ method: 'simclr', dataset: dataset as never, config: {}, name: 'r' });
    const a = run({ id: 'synthetic' });
    const b = run({ id: 'synthetic' });
    const c = run({ id: 'cifar10', dataDir: '/data/cifar' });
    store.markEnded(a.id, 'completed');
    store.markStarted(b.id, 'cpu', 'CPU', null);
    const uses = store.datasets.usedByRuns();
    expect(uses.map((u) => [u.spec, u.runCount, u.activeRunCount])).toEqual(
      expect.arrayContaining([
        [{ id: 'synthetic' }, 2, 1],
        [{ id: 'cifar10', dataDir: '/data/cifar' }, 1, 1],
      ]),
    );
    expect(uses).toHaveLength(2);
    expect(store.datasets.activeRuns()).toEqual([
      { id: b.id, status: 'running', spec: { id: 'synthetic' } },
      { id: c.id, status: 'queued', spec: { id: 'cifar10', dataDir: '/data/cifar' } },
    ]);
    store.close();
  });

  it('is added to a database of the previous schema, which keeps its runs', () => {
    const db = new Database(file);
    for (const m of migrations.slice(0, 3)) db.exec(m);
    db.pragma('user_version = 3');
    db.prepare(
      `INSERT INTO runs (name, method, status, dataset_json, backend_preference, config_json, created_at)
       VALUES ('old', 'simclr', 'completed', '{"id":"synthetic"}', 'auto', '{}', '2024-01-01T00:00:00Z')`,
    ).run();
    db.close();
    const store = new Store(file);
    expect(store.listRuns().map((r) => r.name)).toEqual(['old']);
    expect(store.datasets.usedByRuns()).toEqual([
      { spec: { id: 'synthetic' }, runCount: 1, activeRunCount: 0, lastUsedAt: '2024-01-01T00:00:00Z' },
    ]);
    expect(store.datasets.list()).toEqual([]);
    store.close();
  });
});
