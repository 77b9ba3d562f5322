import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../src-main/engine/store/store';
import { StoreError } from '../../../src-main/domain';
import { migrations } from '../../../src-main/engine/store/migrations';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-store-'));
  file = path.join(dir, 'nested', 'lab.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A pragma read by a connection of its own (the store never hands out its handle). */
function pragmaOf(db: string, name: string): unknown {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.pragma(name, { simple: true });
  } finally {
    conn.close();
  }
}

const newRun = (store: Store, name = 'run') =>
  store.createRun({ method: 'simclr', dataset: { id: 'synthetic' }, config: { lr: 0.5, epochs: 2 }, name });

describe('Store', () => {
  it('creates the file with WAL journaling and the latest schema version', () => {
    const store = new Store(file);
    expect(fs.existsSync(file)).toBe(true);
    // Read by a connection of its own: the store never hands out its handle.
    const pragma = (name: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.pragma(name, { simple: true });
      } finally {
        db.close();
      }
    };
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('user_version')).toBe(migrations.length);
    store.close();
    // Re-opening applies nothing twice.
    const again = new Store(file);
    expect(pragma('user_version')).toBe(migrations.length);
    again.close();
  });

  it('records a run through its lifecycle and keeps it across re-opening', () => {
    const store = new Store(file);
    const run = newRun(store, 'first, "quoted"');
    expect(run.status).toBe('queued');
    expect(run.config).toEqual({ lr: 0.5, epochs: 2 });
    store.markStarted(run.id, 'wasm', 'CPU: wasm', 1234);
    expect(store.getRun(run.id)!.status).toBe('running');
    store.markEnded(run.id, 'completed');
    store.close();

    const reopened = new Store(file);
    const saved = reopened.getRun(run.id)!;
    expect(saved).toMatchObject({
      name: 'first, "quoted"',
      status: 'completed',
      backend: 'wasm',
      device: 'CPU: wasm',
    });
    expect(saved.startedAt).not.toBeNull();
    expect(saved.endedAt).not.toBeNull();
    reopened.close();
  });

  it('stores metric points in a transaction and summarises the last value per key', () => {
    const store = new Store(file);
    const a = newRun(store, 'a');
    const b = newRun(store, 'b');
    store.addMetrics([
      { runId: a.id, step: 0, epoch: 0, key: 'knn_top1', value: 0.1, wallTime: 1 },
      { runId: a.id, step: 10, epoch: 1, key: 'knn_top1', value: 0.4, wallTime: 2 },
      { runId: a.id, step: 5, epoch: 0.5, key: 'loss', value: 3.2, wallTime: 1.5 },
      { runId: b.id, step: 1, epoch: 0.1, key: 'loss', value: 9, wallTime: 1 },
    ]);
    expect(store.getRun(a.id)!.summary).toEqual({ knn_top1: 0.4, loss: 3.2 });
    expect(store.getRun(a.id)!.summarySteps).toEqual({ knn_top1: 10, loss: 5 });
    expect(store.metrics([a.id], ['knn_top1']).map((p) => p.value)).toEqual([0.1, 0.4]);
    expect(store.metrics().length).toBe(4);
    // A probe of an early checkpoint is a point at its step, not the run's last value.
    store.addMetrics([
      { runId: a.id, step: 10, epoch: 1, key: 'probe_top1', value: 0.303, wallTime: 3 },
      { runId: a.id, step: 0, epoch: 0, key: 'probe_top1', value: 0.235, wallTime: 4 },
    ]);
    expect(store.listRuns([a.id])[0]).toMatchObject({
      summary: { probe_top1: 0.303 },
      summarySteps: { probe_top1: 10 },
    });
    store.close();
  });

  it('marks runs whose worker is gone as interrupted, and leaves live ones alone', () => {
    const store = new Store(file);
    const dead = newRun(store, 'dead');
    store.markStarted(dead.id, 'cpu', 'cpu', 999_999);
    const alive = newRun(store, 'alive');
    store.markStarted(alive.id, 'cpu', 'cpu', 4242);
    const done = newRun(store, 'done');
    store.markEnded(done.id, 'completed');
    expect(store.markInterrupted((pid) => pid === 4242)).toEqual([dead.id]);
    expect(store.getRun(dead.id)!.status).toBe('interrupted');
    expect(store.getRun(alive.id)!.status).toBe('running');
    expect(store.getRun(done.id)!.status).toBe('completed');
    store.close();
  });

  it('renames, tags, notes and deletes runs with their metrics', () => {
    const store = new Store(file);
    const run = newRun(store);
    store.addMetrics([{ runId: run.id, step: 1, epoch: 0, key: 'loss', value: 1, wallTime: 1 }]);
    store.addLogs([{ runId: run.id, time: 1, level: 'info', message: 'hello' }]);
    const updated = store.updateRunInfo(run.id, { name: 'renamed', tags: ['ablation'], notes: 'note' });
    expect(updated).toMatchObject({ name: 'renamed', tags: ['ablation'], notes: 'note' });
    expect(store.logs(run.id).map((l) => l.message)).toEqual(['hello']);
    store.deleteRun(run.id);
    expect(store.getRun(run.id)).toBeNull();
    expect(store.metrics([run.id])).toEqual([]);
    expect(store.logs(run.id)).toEqual([]);
    store.close();
  });

  it('refuses a file that is not a SQLite database with a clear error', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough'.repeat(20));
    expect(() => new Store(file)).toThrow(StoreError);
    expect(() => new Store(file)).toThrow(/cannot open database .*lab\.db/);
  });

  it('refuses a database written by a newer schema before changing anything', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    expect(pragmaOf(file, 'journal_mode')).toBe('delete');
    expect(() => new Store(file)).toThrow(/cannot open database .*lab\.db: .*newer ContrastLab/);
    expect(pragmaOf(file, 'journal_mode')).toBe('delete');
    expect(pragmaOf(file, 'user_version')).toBe(migrations.length + 5);
  });

  it("refuses another application's SQLite database and leaves it as it was", () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.exec(
      "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('a.jpg')",
    );
    db.close();
    const before = fs.readFileSync(file);
    for (const create of [false, true]) {
      expect(() => new Store(file, { create })).toThrow(StoreError);
      expect(() => new Store(file, { create })).toThrow(
        /cannot open database .*lab\.db: .*not a ContrastLab database.*photos/,
      );
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(pragmaOf(file, 'journal_mode')).toBe('delete');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['lab.db']);
  });

  it('with create: false opens an existing database and refuses a missing one, creating nothing', () => {
    expect(() => new Store(file, { create: false })).toThrow(StoreError);
    expect(() => new Store(file, { create: false })).toThrow(
      /cannot open database .*nested.lab\.db: .*does not exist/,
    );
    expect(fs.existsSync(path.dirname(file))).toBe(false);

    const created = new Store(file);
    newRun(created, 'kept');
    created.close();
    const reopened = new Store(file, { create: false });
    expect(reopened.listRuns().map((r) => r.name)).toEqual(['kept']);
    reopened.close();
  });

  it('refuses an empty path: it would be a temporary database that vanishes on close', () => {
    expect(() => new Store('')).toThrow(StoreError);
    expect(() => new Store('')).toThrow(/cannot open database: the path is empty/);
  });
});

describe('migration 8', () => {
  it('records the LARS trust coefficient the runs of older versions trained with (0.001)', () => {
    const db = new Database(file.replace('nested/', ''));
    for (const [v, sql] of migrations.slice(0, 7).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }
    const insert = db.prepare(
      `INSERT INTO runs (name, method, status, dataset_json, backend_preference, config_json, created_at)
       VALUES (?, 'byol', 'stopped', '{"id":"synthetic"}', 'auto', ?, '2026-01-01T00:00:00Z')`,
    );
    insert.run('old LARS run', JSON.stringify({ optimizer: 'lars', lr: 0.2 }));
    insert.run('set by hand', JSON.stringify({ optimizer: 'lars', larsTrustCoefficient: 0.05 }));
    db.close();
    const store = new Store(file.replace('nested/', ''));
    expect(store.getRun(1)!.config).toEqual({ optimizer: 'lars', lr: 0.2, larsTrustCoefficient: 0.001 });
    expect(store.getRun(2)!.config).toEqual({ optimizer: 'lars', larsTrustCoefficient: 0.05 });
    // A run created now keeps what it was given.
    expect(newRun(store).config).toEqual({ lr: 0.5, epochs: 2 });
    store.close();
  });
});

describe('migration 9', () => {
  it("records SimCLR's head end and SGD the runs of older versions trained with (linear, plain, all decayed)", () => {
    const db = new Database(file.replace('nested/', ''));
    for (const [v, sql] of migrations.slice(0, 8).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }
    const insert = db.prepare(
      `INSERT INTO runs (name, method, status, dataset_json, backend_preference, config_json, created_at)
       VALUES (?, ?, 'completed', '{"id":"synthetic"}', 'auto', ?, '2026-01-01T00:00:00Z')`,
    );
    insert.run('old SimCLR run', 'simclr', JSON.stringify({ lr: 0.5 }));
    insert.run('set by hand', 'simclr', JSON.stringify({ headOutput: 'batch-norm', nesterov: true }));
    insert.run('another method', 'supcon', JSON.stringify({ lr: 0.5 }));
    db.close();
    const store = new Store(file.replace('nested/', ''));
    const old = { headOutput: 'linear', nesterov: false, exemptNormsFromDecay: false };
    expect(store.getRun(1)!.config).toEqual({ lr: 0.5, ...old });
    expect(store.getRun(2)!.config).toEqual({
      headOutput: 'batch-norm',
      nesterov: true,
      exemptNormsFromDecay: false,
    });
    expect(store.getRun(3)!.config).toEqual({ lr: 0.5 });
    store.close();
  });
});
