import type Database from 'better-sqlite3';
import type { Checkpoint } from '../../domain';

interface CheckpointRow {
  id: number;
  run_id: number;
  step: number;
  epoch: number;
  path: string;
  bytes: number;
  created_at: string;
}

/** A checkpoint as the store keeps it: the API's view plus where its file is. */
export interface StoredCheckpoint extends Checkpoint {
  path: string;
}

const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  id: r.id,
  runId: r.run_id,
  step: r.step,
  epoch: r.epoch,
  bytes: r.bytes,
  createdAt: r.created_at,
  path: r.path,
});

/** The `checkpoints` table (migration 2): one row per checkpoint file a run worker wrote. */
export class CheckpointTable {
  constructor(private readonly db: Database.Database) {}

  add(c: { runId: number; step: number; epoch: number; path: string; bytes: number }): StoredCheckpoint {
    const info = this.db
      .prepare(
        'INSERT INTO checkpoints (run_id, step, epoch, path, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(c.runId, c.step, c.epoch, c.path, c.bytes, new Date().toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): StoredCheckpoint | null {
    const row = this.db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(id) as
      CheckpointRow | undefined;
    return row ? toCheckpoint(row) : null;
  }

  /** A run's checkpoints, oldest step first. */
  list(runId: number): StoredCheckpoint[] {
    return (
      this.db
        .prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step, id')
        .all(runId) as CheckpointRow[]
    ).map(toCheckpoint);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM checkpoints WHERE id = ?').run(id);
  }

  /** The run's checkpoint of the highest step, or null. */
  latest(runId: number): StoredCheckpoint | null {
    return this.list(runId).at(-1) ?? null;
  }
}

/** Strips the file path: clients see checkpoints by id only. */
export function publicCheckpoint({ path: _path, ...c }: StoredCheckpoint): Checkpoint {
  return c;
}
