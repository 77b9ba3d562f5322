import type Database from 'better-sqlite3';
import type { RunResume } from '../../domain';

interface ResumeRow {
  run_id: number;
  resumed_at: string;
  from_step: number;
  from_epoch: number;
  checkpoint_id: number | null;
  epochs_before: number;
  epochs: number;
}

/** The `run_resumes` table (migration 3): every resume of a run, for its history. */
export class ResumeTable {
  constructor(private readonly db: Database.Database) {}

  add(runId: number, r: Omit<RunResume, 'at'>): void {
    this.db
      .prepare(
        'INSERT INTO run_resumes (run_id, resumed_at, from_step, from_epoch, checkpoint_id, epochs_before, epochs) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        runId,
        new Date().toISOString(),
        r.fromStep,
        r.fromEpoch,
        r.checkpointId,
        r.epochsBefore,
        r.epochs,
      );
  }

  /** The resumes of the given runs, oldest first, by run. */
  ofRuns(runIds: number[]): Map<number, RunResume[]> {
    const out = new Map<number, RunResume[]>();
    if (runIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT * FROM run_resumes WHERE run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY run_id, id`,
      )
      .all(...runIds) as ResumeRow[];
    for (const r of rows) {
      const list = out.get(r.run_id) ?? [];
      list.push({
        at: r.resumed_at,
        fromStep: r.from_step,
        fromEpoch: r.from_epoch,
        checkpointId: r.checkpoint_id,
        epochsBefore: r.epochs_before,
        epochs: r.epochs,
      });
      out.set(r.run_id, list);
    }
    return out;
  }
}
