import type Database from 'better-sqlite3';
import type { Grid, GridAxis } from '../../domain';

interface GridRow {
  id: number;
  name: string;
  method: string;
  rows_json: string;
  cols_json: string;
  metric: string;
  run_ids_json: string;
  created_at: string;
}

const toGrid = (r: GridRow): Grid => ({
  id: r.id,
  name: r.name,
  method: r.method,
  rows: JSON.parse(r.rows_json) as GridAxis,
  cols: JSON.parse(r.cols_json) as GridAxis,
  metric: r.metric,
  runIds: JSON.parse(r.run_ids_json) as number[][],
  createdAt: r.created_at,
});

/** The `grids` table (migration 2): grids of runs that differ in two settings, shown as heatmaps. */
export class GridTable {
  constructor(private readonly db: Database.Database) {}

  create(g: { name: string; method: string; rows: GridAxis; cols: GridAxis; metric: string }): Grid {
    const info = this.db
      .prepare(
        `INSERT INTO grids (name, method, rows_json, cols_json, metric, run_ids_json, created_at) VALUES (?, ?, ?, ?, ?, '[]', ?)`,
      )
      .run(
        g.name,
        g.method,
        JSON.stringify(g.rows),
        JSON.stringify(g.cols),
        g.metric,
        new Date().toISOString(),
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  setRunIds(id: number, runIds: number[][]): Grid {
    this.db.prepare('UPDATE grids SET run_ids_json = ? WHERE id = ?').run(JSON.stringify(runIds), id);
    return this.get(id)!;
  }

  get(id: number): Grid | null {
    const row = this.db.prepare('SELECT * FROM grids WHERE id = ?').get(id) as GridRow | undefined;
    return row ? toGrid(row) : null;
  }

  list(): Grid[] {
    return (this.db.prepare('SELECT * FROM grids ORDER BY id').all() as GridRow[]).map(toGrid);
  }
}
