import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src-main/engine/store/migrations';
import { runCli, tempDir } from '../helpers/cli';

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-cli-db-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The commands that read a lab, each with the database it is given. */
const readers = (db: string): string[][] => [
  ['runs', '--db', db],
  ['export', '--db', db, '--what', 'runs', '--out', path.join(dir, 'out.csv')],
  ['probe', '1', '--db', db],
  ['serve', '--db', db, '--port', '0', '--static', path.join(dir, 'nothing-built')],
];

/** Every table, index and pragma that says what a SQLite file is, read without changing it. */
function schemaOf(file: string): unknown {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      objects: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
      journal: db.pragma('journal_mode', { simple: true }),
      version: db.pragma('user_version', { simple: true }),
    };
  } finally {
    db.close();
  }
}

describe('contrastlab --db: reading commands open only an existing ContrastLab database', () => {
  it('refuses a database file that does not exist, in one line naming it, and creates nothing', async () => {
    const missing = path.join(dir, 'no', 'such.db');
    for (const args of readers(missing)) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`contrastlab: cannot open database ${missing}: the file does not exist\n`);
      expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
    }
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
  });

  it("refuses another application's SQLite file and leaves its schema as it was", async () => {
    const file = path.join(dir, 'photos.db');
    const db = new Database(file);
    db.exec(
      "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('a.jpg')",
    );
    db.close();
    const before = schemaOf(file);
    for (const args of [...readers(file), ['train', '--method', 'simclr', '--db', file]]) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot open database .*photos\.db: it is not a ContrastLab database/);
    }
    expect(schemaOf(file)).toEqual(before);
  });

  it('refuses a database of a newer ContrastLab without switching it to WAL', async () => {
    const file = path.join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    const before = schemaOf(file);
    for (const args of readers(file)) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot open database .*newer\.db: it was written by a newer ContrastLab/);
    }
    expect(schemaOf(file)).toEqual(before);
  });

  it('refuses an empty --db (it would train into a temporary database that vanishes)', async () => {
    for (const args of [['train', '--method', 'simclr', '--epochs', '1', '--db', ''], ...readers('')]) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toBe('contrastlab: cannot open database: the path is empty\n');
    }
  });

  it('train still creates a new database', async () => {
    const file = path.join(dir, 'new', 'lab.db');
    // An invalid request: refused after the database was opened, so nothing is trained.
    const r = await runCli(['train', '--method', 'nosuch', '--db', file]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(file)).toBe(true);
    const runs = await runCli(['runs', '--db', file, '--json']);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });
});
