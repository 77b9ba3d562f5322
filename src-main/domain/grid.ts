import type { BackendPreference } from './backend';
import type { DatasetSpec } from './dataset';
import type { ExecutorId, SlurmProfile } from './executor';

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
  /** The metric each cell shows: its final value (default 'probe_top1'). */
  metric?: string;
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
  /** runIds[r][c][s]: the run of row value r, column value c (0 for a one-axis sweep) and seed s. */
  runIds: number[][][];
  createdAt: string;
}
