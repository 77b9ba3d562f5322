import type Database from 'better-sqlite3';
import type { Job, JobKind, JobParams, JobStatus } from '../../domain';

interface JobRow {
  id: number;
  run_id: number;
  kind: JobKind;
  checkpoint_id: number | null;
  params_json: string | null;
  status: JobStatus;
  progress: number;
  message: string;
  result_json: string | null;
  error: string | null;
  worker_pid: number | null;
  created_at: string;
  ended_at: string | null;
}

const toJob = (r: JobRow): Job => ({
  id: r.id,
  runId: r.run_id,
  kind: r.kind,
  checkpointId: r.checkpoint_id,
  params: r.params_json ? (JSON.parse(r.params_json) as JobParams) : null,
  status: r.status,
  progress: r.progress,
  message: r.message,
  result: r.result_json ? (JSON.parse(r.result_json) as Record<string, number>) : null,
  error: r.error,
  createdAt: r.created_at,
  endedAt: r.ended_at,
});

const now = () => new Date().toISOString();

/**
 * The `jobs` table (migration 2): background evaluations of a run (linear probes, fine-tunes), with their
 * progress, and what each was asked for (`params_json`, migration 6: a fine-tune's share of the labels).
 * `worker_pid` is the process responsible for a job that has not ended (the host while it is queued, then
 * its worker), so a later engine can tell a job whose process died (see failOrphans).
 */
export class JobTable {
  constructor(private readonly db: Database.Database) {}

  create(j: {
    runId: number;
    kind: JobKind;
    checkpointId: number | null;
    pid: number;
    params?: JobParams;
  }): Job {
    const info = this.db
      .prepare(
        `INSERT INTO jobs (run_id, kind, checkpoint_id, params_json, status, worker_pid, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)`,
      )
      .run(j.runId, j.kind, j.checkpointId, j.params ? JSON.stringify(j.params) : null, j.pid, now());
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): Job | null {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Jobs of one run, or of all runs, oldest first. */
  list(runId?: number): Job[] {
    const rows = (
      runId === undefined
        ? this.db.prepare('SELECT * FROM jobs ORDER BY id').all()
        : this.db.prepare('SELECT * FROM jobs WHERE run_id = ? ORDER BY id').all(runId)
    ) as JobRow[];
    return rows.map(toJob);
  }

  /** Whether a run has a job that has not ended. */
  hasActive(runId: number): boolean {
    return !!this.db
      .prepare(`SELECT 1 FROM jobs WHERE run_id = ? AND status IN ('queued', 'running')`)
      .get(runId);
  }

  setWorkerPid(id: number, pid: number): void {
    this.db.prepare('UPDATE jobs SET worker_pid = ? WHERE id = ?').run(pid, id);
  }

  markRunning(id: number, message: string): Job {
    this.db.prepare(`UPDATE jobs SET status = 'running', message = ? WHERE id = ?`).run(message, id);
    return this.get(id)!;
  }

  setProgress(id: number, progress: number, message: string): Job {
    this.db.prepare('UPDATE jobs SET progress = ?, message = ? WHERE id = ?').run(progress, message, id);
    return this.get(id)!;
  }

  complete(id: number, result: Record<string, number>, message: string): Job {
    this.db
      .prepare(
        `UPDATE jobs SET status = 'completed', progress = 1, message = ?, result_json = ?, ended_at = ?, worker_pid = NULL WHERE id = ?`,
      )
      .run(message, JSON.stringify(result), now(), id);
    return this.get(id)!;
  }

  fail(id: number, error: string): Job {
    this.db
      .prepare(`UPDATE jobs SET status = 'failed', error = ?, ended_at = ?, worker_pid = NULL WHERE id = ?`)
      .run(error, now(), id);
    return this.get(id)!;
  }

  /** On start-up: jobs not ended whose process is gone become failed (as Store.markInterrupted for runs). */
  failOrphans(isAlive: (pid: number) => boolean): number[] {
    const rows = this.db
      .prepare(`SELECT id, worker_pid FROM jobs WHERE status IN ('queued', 'running')`)
      .all() as { id: number; worker_pid: number | null }[];
    const dead = rows.filter((r) => r.worker_pid == null || !isAlive(r.worker_pid)).map((r) => r.id);
    for (const id of dead) this.fail(id, 'the process running this job ended unexpectedly');
    return dead;
  }
}
