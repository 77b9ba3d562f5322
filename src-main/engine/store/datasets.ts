import type Database from 'better-sqlite3';
import type { DatasetSpec } from '../../domain';

/** A dataset the user added in the Datasets view. */
export interface StoredDataset {
  id: number;
  /** The source and its folder (DatasetEntry.key): one row per dataset. */
  key: string;
  spec: DatasetSpec;
  name: string;
  addedAt: string;
}

/** A dataset spec runs were created with, and how they use it. */
export interface RunDatasetUse {
  spec: DatasetSpec;
  runCount: number;
  /** Runs with it that are queued or running. */
  activeRunCount: number;
  /** When the latest of them was created. */
  lastUsedAt: string;
}

interface DatasetRow {
  id: number;
  dataset_key: string;
  spec_json: string;
  name: string;
  added_at: string;
}

const toStored = (r: DatasetRow): StoredDataset => ({
  id: r.id,
  key: r.dataset_key,
  spec: JSON.parse(r.spec_json) as DatasetSpec,
  name: r.name,
  addedAt: r.added_at,
});

/**
 * The `datasets` table (migration 4): the datasets the user added, and the dataset specs of the runs
 * (read from the runs table), which together make the Datasets view's list.
 */
export class DatasetTable {
  constructor(private readonly db: Database.Database) {}

  /** Adds a dataset, or renames and re-specifies the one with the same key (adding it twice keeps one). */
  add(d: { key: string; spec: DatasetSpec; name: string }): StoredDataset {
    this.db
      .prepare(
        `INSERT INTO datasets (dataset_key, spec_json, name, added_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(dataset_key) DO UPDATE SET spec_json = excluded.spec_json, name = excluded.name`,
      )
      .run(d.key, JSON.stringify(d.spec), d.name, new Date().toISOString());
    const row = this.db.prepare('SELECT * FROM datasets WHERE dataset_key = ?').get(d.key) as DatasetRow;
    return toStored(row);
  }

  get(id: number): StoredDataset | null {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    return row ? toStored(row) : null;
  }

  /** Every added dataset, oldest first. */
  list(): StoredDataset[] {
    return (this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[]).map(toStored);
  }

  /** Forgets an added dataset; whether there was one. */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }

  /** The distinct dataset specs of the runs, with how many runs use each (the latest first). */
  usedByRuns(): RunDatasetUse[] {
    const rows = this.db
      .prepare(
        `SELECT dataset_json, count(*) AS runs,
                sum(CASE WHEN status IN ('queued', 'running') THEN 1 ELSE 0 END) AS active,
                max(created_at) AS last
         FROM runs GROUP BY dataset_json ORDER BY last DESC`,
      )
      .all() as { dataset_json: string; runs: number; active: number; last: string }[];
    return rows.map((r) => ({
      spec: JSON.parse(r.dataset_json) as DatasetSpec,
      runCount: r.runs,
      activeRunCount: r.active,
      lastUsedAt: r.last,
    }));
  }

  /** The queued and running runs with their dataset specs (a cache they read must stay). */
  activeRuns(): { id: number; status: string; spec: DatasetSpec }[] {
    const rows = this.db
      .prepare(`SELECT id, status, dataset_json FROM runs WHERE status IN ('queued', 'running') ORDER BY id`)
      .all() as { id: number; status: string; dataset_json: string }[];
    return rows.map((r) => ({ id: r.id, status: r.status, spec: JSON.parse(r.dataset_json) as DatasetSpec }));
  }
}
