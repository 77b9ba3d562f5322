import type { CreateGridInput, Grid, GridAxis } from '../../domain';
import { ConfigError } from '../../domain';
import { getMethod, resolveConfig, type RunConfig } from '../methods';
import type { MethodDefinition } from '../methods/method';
import type { Store } from '../store/store';
import { checkDataset, checkImageSize } from './dataset-check';
import type { EventBus } from './event-bus';
import type { RunSupervisor } from './run-supervisor';

/** One cell of a grid: its position, its full config and the name of its run. */
export interface GridCell {
  row: number;
  col: number;
  config: RunConfig;
  name: string;
}

const show = (v: GridAxis['values'][number]) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Checks a grid request and resolves the config of every cell with the method's schema (the shared
 * config, then the row's and the column's value), before anything is recorded: the first bad field or
 * value is one ConfigError naming the cell. Cells come row by row.
 */
export function planGrid(method: MethodDefinition, input: CreateGridInput, name: string): GridCell[] {
  const { rows, cols } = input;
  if (rows.field === cols.field) {
    throw new ConfigError(`a grid needs two different settings; rows and columns both vary "${rows.field}"`);
  }
  for (const [which, axis] of [
    ['rows', rows],
    ['columns', cols],
  ] as const) {
    if (axis.values.length === 0) throw new ConfigError(`the grid's ${which} (${axis.field}) have no values`);
    const seen = new Set(axis.values.map((v) => JSON.stringify(v)));
    if (seen.size !== axis.values.length) {
      throw new ConfigError(`the grid's ${which} (${axis.field}) repeat a value`);
    }
  }
  const cells: GridCell[] = [];
  rows.values.forEach((rv, r) =>
    cols.values.forEach((cv, c) => {
      const label = `${rows.field}=${show(rv)}, ${cols.field}=${show(cv)}`;
      let config: RunConfig;
      try {
        config = resolveConfig(method, { ...input.config, [rows.field]: rv, [cols.field]: cv });
      } catch (e) {
        throw new ConfigError(`grid cell ${label}: ${(e as Error).message}`);
      }
      cells.push({ row: r, col: c, config, name: `${name}: ${label}` });
    }),
  );
  const metric = input.metric ?? 'probe_top1';
  if (metric.startsWith('probe_') && cells.some((cell) => !cell.config.linearProbe)) {
    throw new ConfigError(`the grid shows ${metric}, which needs linearProbe on in every run`);
  }
  return cells;
}

/** Grids of runs that differ in two settings, shown as heatmaps. */
export class GridService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly supervisor: RunSupervisor,
  ) {}

  /**
   * Validates every cell's config and the dataset first, so a bad request records nothing; then records
   * the grid and its rows × cols runs (tagged grid:<id>) in one transaction and queues them.
   */
  async create(input: CreateGridInput): Promise<Grid> {
    const method = getMethod(input.method);
    const name = input.name?.trim() || `${method.title} grid: ${input.rows.field} × ${input.cols.field}`;
    const cells = planGrid(method, input, name);
    const summary = await checkDataset(input.dataset, method.needsLabels ?? false);
    for (const cell of cells) checkImageSize(method, cell.config, summary);
    const hostId = this.supervisor.hostId();
    const { grid, runs } = this.store.transaction(() => {
      const created = this.store.grids.create({
        name,
        method: method.id,
        rows: input.rows,
        cols: input.cols,
        metric: input.metric ?? 'probe_top1',
      });
      const runIds: number[][] = input.rows.values.map(() => []);
      const runs = cells.map((cell) => {
        const run = this.store.createRun(
          {
            method: method.id,
            dataset: input.dataset,
            config: cell.config,
            name: cell.name,
            tags: [`grid:${created.id}`],
            backend: input.backend,
          },
          hostId,
        );
        runIds[cell.row]![cell.col] = run.id;
        return run;
      });
      return { grid: this.store.grids.setRunIds(created.id, runIds), runs };
    });
    for (const run of runs) this.events.emit({ event: 'run-created', run });
    this.events.emit({ event: 'grid-created', grid });
    runs.forEach((run) => this.supervisor.enqueue(run));
    return grid;
  }

  list(): Grid[] {
    return this.store.grids.list();
  }

  get(id: number): Grid {
    const grid = this.store.grids.get(id);
    if (!grid) throw new ConfigError(`no grid with id ${id}`);
    return grid;
  }
}
