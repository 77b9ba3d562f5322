import type Database from 'better-sqlite3';

/**
 * How long a live host's heartbeat may be silent. A host writes one every few seconds; the limit is far
 * longer, so a host busy with a long computation is never taken for dead: its process id decides first,
 * and the heartbeat only guards against that id having been reused by another process.
 */
export const HEARTBEAT_STALE_SECONDS = 300;

/**
 * The `hosts` table (migration 3): every engine host that queued or started runs. A run belongs to the
 * host that created it (`runs.host_id`, set in the same INSERT), so a process opening the database tells
 * a live host's queued run from an orphan by something the host owns, not by a worker pid that is not
 * recorded yet.
 */
export class HostTable {
  constructor(private readonly db: Database.Database) {}

  register(pid: number): number {
    const info = this.db
      .prepare('INSERT INTO hosts (pid, started_at, heartbeat_at) VALUES (?, ?, ?)')
      .run(pid, new Date().toISOString(), Date.now() / 1000);
    return Number(info.lastInsertRowid);
  }

  heartbeat(id: number): void {
    this.db.prepare('UPDATE hosts SET heartbeat_at = ? WHERE id = ?').run(Date.now() / 1000, id);
  }

  close(id: number): void {
    this.db.prepare('UPDATE hosts SET closed_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  /**
   * Whether the host is still there: not closed, its process alive, and its heartbeat recent (an alive
   * pid with a heartbeat silent for HEARTBEAT_STALE_SECONDS belongs to another process).
   */
  isAlive(id: number, isProcessAlive: (pid: number) => boolean, nowSeconds = Date.now() / 1000): boolean {
    const row = this.db.prepare('SELECT pid, heartbeat_at, closed_at FROM hosts WHERE id = ?').get(id) as
      { pid: number; heartbeat_at: number; closed_at: string | null } | undefined;
    if (!row || row.closed_at !== null) return false;
    return isProcessAlive(row.pid) && nowSeconds - row.heartbeat_at < HEARTBEAT_STALE_SECONDS;
  }
}
