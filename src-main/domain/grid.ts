import type { BackendPreference } from './backend';
import type { DatasetSpec } from './dataset';
import type { ExecutorId, SlurmProfile } from './executor';
import { fineTuneMetricKey } from './metrics';

/** One axis of a grid of runs: a config field and the values it takes. */
export interface GridAxis {
  field: string;
  values: (number | string | boolean)[];
}

export interface CreateGridInput {
  method: string;
  dataset: DatasetSpec;
  /** The settings every run shares; each cell overrides rows.field (and cols.field). */
  config: Record<string, unknown>;
  rows: GridAxis;
  /** A second axis; without it the grid is a one-axis sweep (one row of cells). */
  cols?: GridAxis;
  /**
   * Runs per cell, each with its own seed: the config's seed, seed + 1, … (default 1). Cells show the
   * mean ± std across them.
   */
  seeds?: number;
  /** The metric each cell shows: its final value (default 'probe_top1'; 'finetune_top1' on a label axis). */
  metric?: string;
  /**
   * On a grid with a label axis (labelShareAxis): the epochs of each fine-tune (default: the paper's for
   * each share, 60 below 10% of the labels, else 30).
   */
  fineTuneEpochs?: number;
  name?: string;
  backend?: BackendPreference;
  /** Where the grid's runs train (default 'local'); on Slurm the grid is one `sbatch --array` job. */
  executor?: ExecutorId;
  /** For a Slurm grid: changes to the saved cluster profile for this submission. */
  slurm?: Partial<SlurmProfile>;
}

/**
 * A grid of runs that differ in one or two settings (e.g. SimCLR's augmentation-pair ablation), with
 * one run per seed in each cell, shown as a heatmap of the mean ± std across seeds.
 */
export interface Grid {
  id: number;
  name: string;
  method: string;
  rows: GridAxis;
  /** Null for a one-axis sweep. */
  cols: GridAxis | null;
  /** The seed of each run in a cell, in order. */
  seeds: number[];
  executor: ExecutorId;
  metric: string;
  /**
   * runIds[r][c][s]: the run of row value r, column value c (0 for a one-axis sweep) and seed s. Along a
   * label axis the cells share their runs: one run is fine-tuned at every share.
   */
  runIds: number[][][];
  /** On a grid with a label axis: the epochs of each fine-tune, or null for the paper's default per share. */
  fineTuneEpochs: number | null;
  createdAt: string;
}

/**
 * The one grid axis that is not a setting of a run: the share of the labelled training split, in percent,
 * that each run is fine-tuned with once it has trained (the semi-supervised protocol of SimCLR v2, Chen et
 * al. 2020b, Sec. 2: 1% and 10% of the labels). Cells along it share their runs — a run is pre-trained
 * once and fine-tuned at every share — and a cell shows the fine-tune's accuracy at its share
 * (gridCellMetric), so a grid over it is a label-efficiency study of every setting of the other axis.
 */
export const labelShareAxis = 'labelPercent';

/** The shares of the labels a grid fine-tunes with (its label axis's values), or [] without one. */
export function labelShares(grid: Pick<Grid, 'rows' | 'cols'>): number[] {
  const axis = [grid.rows, grid.cols].find((a) => a?.field === labelShareAxis);
  return (axis?.values ?? []).filter((v): v is number => typeof v === 'number');
}

/**
 * The metric key a cell shows: the grid's metric, except along a label axis, where `finetune_top1` or
 * `finetune_top5` becomes the key of the cell's share (`finetune_top1_10pct`, fineTuneMetricKey).
 */
export function gridCellMetric(
  grid: Pick<Grid, 'rows' | 'cols' | 'metric'>,
  row: number,
  col: number,
): string {
  const share =
    grid.rows.field === labelShareAxis
      ? grid.rows.values[row]
      : grid.cols?.field === labelShareAxis
        ? grid.cols.values[col]
        : undefined;
  if (typeof share !== 'number') return grid.metric;
  return fineTuneMetricKey(share, grid.metric === 'finetune_top5' ? 5 : 1);
}
