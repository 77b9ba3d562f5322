import type Database from 'better-sqlite3';
import type { SlurmJob, SlurmProfile } from '../../domain';

/** How a Slurm worker ended, as it reported it in its events file (runner/event-file.ts). */
export interface WorkerEnd {
  status: 'completed' | 'stopped' | 'failed';
  error?: string;
}

/** A Slurm run's job, with what only the engine needs: its files, its profile, how far its events were read. */
export interface StoredSlurmJob extends SlurmJob {
  runId: number;
  scriptPath: string;
  /** Slurm's output file of the job (standard output and error of the worker). */
  outputPath: string;
  profile: SlurmProfile;
  /** Bytes of the run's events file already recorded: reading resumes there, so no point is recorded twice. */
  eventsOffset: number;
  /** The worker's own account of its end, once read from the events file. */
  workerEnd: WorkerEnd | null;
  submittedAt: string;
}

interface SlurmJobRow {
  run_id: number;
  job_id: string;
  run_dir: string;
  script_path: string;
  output_path: string;
  profile_json: string;
  state: string;
  node: string | null;
  reason: string | null;
  events_offset: number;
  worker_end_json: string | null;
  submitted_at: string;
}

const toJob = (r: SlurmJobRow): StoredSlurmJob => ({
  runId: r.run_id,
  jobId: r.job_id,
  runDir: r.run_dir,
  scriptPath: r.script_path,
  outputPath: r.output_path,
  profile: JSON.parse(r.profile_json) as SlurmProfile,
  state: r.state,
  node: r.node,
  reason: r.reason,
  eventsOffset: r.events_offset,
  workerEnd: r.worker_end_json ? (JSON.parse(r.worker_end_json) as WorkerEnd) : null,
  submittedAt: r.submitted_at,
});

/** What clients see of a run's job. */
export const publicSlurmJob = (j: StoredSlurmJob): SlurmJob => ({
  jobId: j.jobId,
  state: j.state,
  node: j.node,
  reason: j.reason,
  runDir: j.runDir,
});

/** The `slurm_jobs` table (migration 5): the Slurm job of each run trained on a cluster, its latest one. */
export class SlurmJobTable {
  constructor(private readonly db: Database.Database) {}

  /** Records a submission: a new job for the run (a resume replaces the earlier one; the offset is kept). */
  submitted(j: {
    runId: number;
    jobId: string;
    runDir: string;
    scriptPath: string;
    outputPath: string;
    profile: SlurmProfile;
  }): void {
    this.db
      .prepare(
        `INSERT INTO slurm_jobs (run_id, job_id, run_dir, script_path, output_path, profile_json, submitted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(run_id) DO UPDATE SET job_id = excluded.job_id, run_dir = excluded.run_dir,
           script_path = excluded.script_path, output_path = excluded.output_path,
           profile_json = excluded.profile_json, submitted_at = excluded.submitted_at,
           state = '', node = NULL, reason = NULL, worker_end_json = NULL`,
      )
      .run(
        j.runId,
        j.jobId,
        j.runDir,
        j.scriptPath,
        j.outputPath,
        JSON.stringify(j.profile),
        new Date().toISOString(),
      );
  }

  get(runId: number): StoredSlurmJob | null {
    const row = this.db.prepare('SELECT * FROM slurm_jobs WHERE run_id = ?').get(runId) as
      SlurmJobRow | undefined;
    return row ? toJob(row) : null;
  }

  ofRuns(runIds: number[]): Map<number, StoredSlurmJob> {
    if (runIds.length === 0) return new Map();
    const rows = this.db
      .prepare('SELECT s.* FROM slurm_jobs s JOIN json_each(?) j ON s.run_id = j.value')
      .all(JSON.stringify(runIds)) as SlurmJobRow[];
    return new Map(rows.map((r) => [r.run_id, toJob(r)]));
  }

  /** Every Slurm run's job, by run id. */
  all(): StoredSlurmJob[] {
    return (this.db.prepare('SELECT * FROM slurm_jobs ORDER BY run_id').all() as SlurmJobRow[]).map(toJob);
  }

  /** Slurm's view of the job at the latest poll. */
  setState(runId: number, s: { state: string; node: string | null; reason: string | null }): void {
    this.db
      .prepare('UPDATE slurm_jobs SET state = ?, node = ?, reason = ? WHERE run_id = ?')
      .run(s.state, s.node, s.reason, runId);
  }

  setEventsOffset(runId: number, offset: number): void {
    this.db.prepare('UPDATE slurm_jobs SET events_offset = ? WHERE run_id = ?').run(offset, runId);
  }

  setWorkerEnd(runId: number, end: WorkerEnd | null): void {
    this.db
      .prepare('UPDATE slurm_jobs SET worker_end_json = ? WHERE run_id = ?')
      .run(end ? JSON.stringify(end) : null, runId);
  }
}
