import type { BackendPreference } from './backend';
import type { DatasetSpec } from './dataset';

/** One axis of a grid of runs: a config field and the values it takes. */
export interface GridAxis {
  field: string;
  values: (number | string | boolean)[];
}

export interface CreateGridInput {
  method: string;
  dataset: DatasetSpec;
  /** The settings every run shares; each cell overrides rows.field and cols.field. */
  config: Record<string, unknown>;
  rows: GridAxis;
  cols: GridAxis;
  /** The metric each cell shows: its final value (default 'probe_top1'). */
  metric?: string;
  name?: string;
  backend?: BackendPreference;
}

/** A grid of runs that differ in two settings (e.g. SimCLR's augmentation-pair ablation), shown as a heatmap. */
export interface Grid {
  id: number;
  name: string;
  method: string;
  rows: GridAxis;
  cols: GridAxis;
  metric: string;
  /** runIds[r][c]: the run of row value r and column value c. */
  runIds: number[][];
  createdAt: string;
}
