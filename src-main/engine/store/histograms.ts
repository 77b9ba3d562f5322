import type Database from 'better-sqlite3';
import type { SimilarityHistogram } from '../../domain';

interface HistogramRow {
  run_id: number;
  step: number;
  epoch: number;
  min: number;
  max: number;
  positive_json: string;
  negative_json: string;
}

const toHistogram = (r: HistogramRow): SimilarityHistogram => ({
  runId: r.run_id,
  step: r.step,
  epoch: r.epoch,
  min: r.min,
  max: r.max,
  positive: JSON.parse(r.positive_json),
  negative: JSON.parse(r.negative_json),
});

/** The `histograms` table (migration 2): a run's similarity histograms, one per evaluated step. */
export class HistogramTable {
  constructor(private readonly db: Database.Database) {}

  /** Records a histogram; a second one for the same run and step replaces the first. */
  add(h: SimilarityHistogram): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO histograms (run_id, step, epoch, min, max, positive_json, negative_json)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(h.runId, h.step, h.epoch, h.min, h.max, JSON.stringify(h.positive), JSON.stringify(h.negative));
  }

  /** The histograms of the given runs (all when omitted), by run, oldest first. */
  list(runIds?: number[]): SimilarityHistogram[] {
    const rows = (
      runIds
        ? this.db
            .prepare(
              `SELECT * FROM histograms WHERE run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY run_id, step`,
            )
            .all(...runIds)
        : this.db.prepare('SELECT * FROM histograms ORDER BY run_id, step').all()
    ) as HistogramRow[];
    return rows.map(toHistogram);
  }
}
