import type Database from 'better-sqlite3';
import type { ExecutorId, Grid, GridAxis } from '../../domain';

interface GridRow {
  id: number;
  name: string;
  method: string;
  rows_json: string;
  cols_json: string;
  metric: string;
  run_ids_json: string;
  seeds_json: string;
  executor: ExecutorId;
  fine_tune_epochs: number | null;
  created_at: string;
}

/**
 * A grid's run ids as stored: runIds[r][c][s] since grids have seeds (migration 5); a grid recorded before
 * kept one run per cell (runIds[r][c]), read as a cell of one run.
 */
function readRunIds(json: string): number[][][] {
  const stored = JSON.parse(json) as (number | number[])[][];
  return stored.map((row) => row.map((cell) => (typeof cell === 'number' ? [cell] : cell)));
}

const toGrid = (r: GridRow): Grid => {
  const seeds = JSON.parse(r.seeds_json) as number[];
  return {
    id: r.id,
    name: r.name,
    method: r.method,
    rows: JSON.parse(r.rows_json) as GridAxis,
    cols: JSON.parse(r.cols_json) as GridAxis | null,
    // A grid recorded before seeds ran each cell once, with its config's seed.
    seeds: seeds.length ? seeds : [0],
    executor: r.executor,
    metric: r.metric,
    runIds: readRunIds(r.run_ids_json),
    fineTuneEpochs: r.fine_tune_epochs,
    createdAt: r.created_at,
  };
};

/** The `grids` table (migrations 2, 5 and 7): grids of runs over one or two settings and seeds, shown as heatmaps. */
export class GridTable {
  constructor(private readonly db: Database.Database) {}

  create(g: {
    name: string;
    method: string;
    rows: GridAxis;
    cols: GridAxis | null;
    seeds: number[];
    executor: ExecutorId;
    metric: string;
    fineTuneEpochs?: number | null;
  }): Grid {
    const info = this.db
      .prepare(
        `INSERT INTO grids (name, method, rows_json, cols_json, metric, run_ids_json, seeds_json, executor,
           fine_tune_epochs, created_at)
         VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?, ?)`,
      )
      .run(
        g.name,
        g.method,
        JSON.stringify(g.rows),
        JSON.stringify(g.cols),
        g.metric,
        JSON.stringify(g.seeds),
        g.executor,
        g.fineTuneEpochs ?? null,
        new Date().toISOString(),
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  setRunIds(id: number, runIds: number[][][]): Grid {
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
