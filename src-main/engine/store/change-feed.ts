import type Database from 'better-sqlite3';
import type { LogLine, MetricPoint } from '../../domain';

/** What the runs table holds of a run's state, as the change watcher compares it (watch.ts). */
export interface RunStateRow {
  id: number;
  name: string;
  status: string;
  backend: string | null;
  device: string | null;
  tags_json: string;
  notes: string;
  error: string | null;
  started_at: string | null;
  ended_at: string | null;
}

/**
 * The queries the change watcher needs to see what other connections wrote: SQLite's data_version,
 * the highest rowids, and the rows past a rowid, a page at a time.
 */
export class ChangeFeed {
  constructor(private readonly db: Database.Database) {}

  /** Changes exactly when another connection has committed (never for this connection's writes). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  maxRowid(table: 'metrics' | 'run_logs'): number {
    const row = this.db.prepare(`SELECT max(rowid) AS m FROM ${table}`).get() as { m: number | null };
    return row.m ?? 0;
  }

  runStates(): RunStateRow[] {
    return this.db
      .prepare(
        'SELECT id, name, status, backend, device, tags_json, notes, error, started_at, ended_at FROM runs ORDER BY id',
      )
      .all() as RunStateRow[];
  }

  metricsAfter(rowid: number, limit: number): (MetricPoint & { rowid: number })[] {
    return this.db
      .prepare(
        `SELECT rowid, run_id AS runId, step, epoch, key, value, wall_time AS wallTime
         FROM metrics WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      )
      .all(rowid, limit) as (MetricPoint & { rowid: number })[];
  }

  logsAfter(rowid: number, limit: number): (LogLine & { rowid: number })[] {
    return this.db
      .prepare(
        'SELECT rowid, run_id AS runId, time, level, message FROM run_logs WHERE rowid > ? ORDER BY rowid LIMIT ?',
      )
      .all(rowid, limit) as (LogLine & { rowid: number })[];
  }
}
