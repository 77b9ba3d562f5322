import type { CreateGridInput, Grid, GridAxis } from '../../domain';
import { ConfigError, DatasetError, labelShareAxis } from '../../domain';
import { getMethod, resolveConfig, type RunConfig } from '../methods';
import type { MethodDefinition } from '../methods/method';
import type { Store } from '../store/store';
import { checkDataset, checkImageSize } from './dataset-check';
import type { EventBus } from './event-bus';
import type { RunLauncher } from './run-launcher';
import type { RunSupervisor } from './run-supervisor';

/**
 * One run of a grid: its cell, its seed, its full config and its name. On a grid with a label axis, a run
 * stands for every cell along it and is planned at index 0 of that axis.
 */
export interface GridCell {
  row: number;
  col: number;
  /** Position of its seed in the grid's seeds. */
  seedIndex: number;
  config: RunConfig;
  name: string;
}

/** Seeds per cell at most: a grid is at most 8 × 8 cells, so 640 runs. */
export const maxGridSeeds = 10;

const show = (v: GridAxis['values'][number]) => (typeof v === 'string' ? v : JSON.stringify(v));

function checkAxis(which: string, axis: GridAxis): void {
  if (axis.values.length === 0) throw new ConfigError(`the grid's ${which} (${axis.field}) have no values`);
  const seen = new Set(axis.values.map((v) => JSON.stringify(v)));
  if (seen.size !== axis.values.length)
    throw new ConfigError(`the grid's ${which} (${axis.field}) repeat a value`);
  if (axis.field === 'seed') {
    throw new ConfigError('the seed is not a grid axis: ask for seeds per cell (seeds, --seeds N) instead');
  }
  if (axis.field === labelShareAxis) {
    const bad = axis.values.find((v) => !(typeof v === 'number' && v > 0 && v <= 100));
    if (bad !== undefined) {
      throw new ConfigError(
        `the grid's ${which} (${labelShareAxis}) are shares of the labels in percent, above 0 and at most 100, got ${show(bad)}`,
      );
    }
  }
}

/** The metrics a grid over the share of the labels can show: the fine-tune's, at each cell's share. */
const labelAxisMetrics = ['finetune_top1', 'finetune_top5'];

/** The metric a grid's cells show: the one asked for, else the fine-tune's on a label axis, else the probe's. */
function gridMetric(input: CreateGridInput): string {
  const labelAxis = input.rows.field === labelShareAxis || input.cols?.field === labelShareAxis;
  const metric = input.metric ?? (labelAxis ? 'finetune_top1' : 'probe_top1');
  if (labelAxis && !labelAxisMetrics.includes(metric)) {
    throw new ConfigError(
      `a grid over ${labelShareAxis} shows the fine-tune's accuracy (${labelAxisMetrics.join(' or ')}), not ${metric}`,
    );
  }
  if (!labelAxis && input.fineTuneEpochs !== undefined) {
    throw new ConfigError(`fine-tune epochs are for a grid with a ${labelShareAxis} axis`);
  }
  const epochs = input.fineTuneEpochs;
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1 && epochs <= 1000)) {
    throw new ConfigError(`fine-tune epochs must be a whole number from 1 to 1000, got ${epochs}`);
  }
  return metric;
}

/** The seeds of every cell: the config's seed and the next ones. */
export function gridSeeds(method: MethodDefinition, input: CreateGridInput): number[] {
  const count = input.seeds ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > maxGridSeeds) {
    throw new ConfigError(`seeds per cell must be a whole number from 1 to ${maxGridSeeds}, got ${count}`);
  }
  const base = Number(resolveConfig(method, input.config).seed ?? 0);
  return Array.from({ length: count }, (_, i) => base + i);
}

/**
 * Checks a grid request and resolves the config of every run with the method's schema (the shared
 * config, then the row's and the column's value, then the seed), before anything is recorded: the first
 * bad field or value is one ConfigError naming the cell. Runs come row by row, then column, then seed.
 */
export function planGrid(method: MethodDefinition, input: CreateGridInput, name: string): GridCell[] {
  const { rows, cols } = input;
  checkAxis('rows', rows);
  if (cols) {
    checkAxis('columns', cols);
    if (rows.field === cols.field) {
      throw new ConfigError(
        `a grid needs two different settings; rows and columns both vary "${rows.field}"`,
      );
    }
  }
  const metric = gridMetric(input);
  const seeds = gridSeeds(method, input);
  // The settings of the runs: the axes but the label axis, along which cells share their runs.
  const settingOf = (axis: GridAxis | undefined) =>
    axis && axis.field !== labelShareAxis ? axis : undefined;
  const rowSetting = settingOf(rows);
  const colSetting = settingOf(cols);
  const cells: GridCell[] = [];
  (rowSetting?.values ?? [undefined]).forEach((rv, r) =>
    (colSetting?.values ?? [undefined]).forEach((cv, c) => {
      const label = [
        ...(rowSetting ? [`${rowSetting.field}=${show(rv!)}`] : []),
        ...(colSetting ? [`${colSetting.field}=${show(cv!)}`] : []),
      ].join(', ');
      seeds.forEach((seed, s) => {
        const values = {
          ...input.config,
          ...(rowSetting ? { [rowSetting.field]: rv } : {}),
          ...(colSetting ? { [colSetting.field]: cv } : {}),
          seed,
        };
        let config: RunConfig;
        try {
          config = resolveConfig(method, values);
        } catch (e) {
          throw new ConfigError(`grid cell ${label || 'of every share'}: ${(e as Error).message}`);
        }
        const runLabel = [label, seeds.length > 1 ? `seed ${seed}` : ''].filter(Boolean).join(', ');
        cells.push({ row: r, col: c, seedIndex: s, config, name: runLabel ? `${name}: ${runLabel}` : name });
      });
    }),
  );
  if (metric.startsWith('probe_') && cells.some((cell) => !cell.config.linearProbe)) {
    throw new ConfigError(`the grid shows ${metric}, which needs linearProbe on in every run`);
  }
  return cells;
}

/** Grids of runs over one or two settings and several seeds, shown as heatmaps of mean ± std. */
export class GridService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly supervisor: RunSupervisor,
    private readonly launcher: RunLauncher,
  ) {}

  /**
   * Validates every cell's config and the dataset first, so a bad request records nothing; then records
   * the grid and its runs (tagged grid:<id>) in one transaction and starts them with the grid's executor
   * (on Slurm: one array job).
   */
  async create(input: CreateGridInput): Promise<Grid> {
    const method = getMethod(input.method);
    const axes = input.cols ? `${input.rows.field} × ${input.cols.field}` : input.rows.field;
    const name = input.name?.trim() || `${method.title} grid: ${axes}`;
    const cells = planGrid(method, input, name);
    const seeds = gridSeeds(method, input);
    const executor = input.executor ?? 'local';
    await this.launcher.check(executor, input.slurm);
    const summary = await checkDataset(input.dataset, method.needsLabels ?? false);
    for (const cell of cells) checkImageSize(method, cell.config, summary);
    const labelAxis = input.rows.field === labelShareAxis || input.cols?.field === labelShareAxis;
    if (labelAxis && !summary.evaluable) {
      throw new DatasetError(
        `dataset ${summary.name} has no labelled training and test images to fine-tune with`,
      );
    }
    const hostId = this.supervisor.hostId();
    const { grid, runs } = this.store.transaction(() => {
      const created = this.store.grids.create({
        name,
        method: method.id,
        rows: input.rows,
        cols: input.cols ?? null,
        seeds,
        executor,
        metric: gridMetric(input),
        fineTuneEpochs: input.fineTuneEpochs ?? null,
      });
      const runIds: number[][][] = input.rows.values.map(() =>
        (input.cols?.values ?? [null]).map(() => [] as number[]),
      );
      // Along the label axis every cell holds the runs planned at its index 0.
      const rowsShare = input.rows.field === labelShareAxis;
      const colsShare = input.cols?.field === labelShareAxis;
      const runs = cells.map((cell) => {
        const run = this.store.createRun(
          {
            method: method.id,
            dataset: input.dataset,
            config: cell.config,
            name: cell.name,
            tags: [`grid:${created.id}`],
            backend: input.backend,
            executor,
          },
          hostId,
        );
        runIds.forEach((row, r) =>
          row.forEach((ids, c) => {
            if ((rowsShare ? 0 : r) === cell.row && (colsShare ? 0 : c) === cell.col)
              ids[cell.seedIndex] = run.id;
          }),
        );
        return run;
      });
      return { grid: this.store.grids.setRunIds(created.id, runIds), runs };
    });
    for (const run of runs) this.events.emit({ event: 'run-created', run });
    this.events.emit({ event: 'grid-created', grid });
    await this.launcher.launch(runs, { executor, label: `grid-${grid.id}`, slurm: input.slurm });
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
