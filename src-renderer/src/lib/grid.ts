/**
 * Grids of runs: which config fields can span an axis, parsing an axis's comma-separated
 * values with the field's own bounds, and what each heatmap cell shows for its runs (one per seed).
 */
import {
  gridCellMetric,
  labelShareAxis,
  meanStd,
  type Grid,
  type GridAxis,
  type MeanStd,
  type Run,
  type RunProgress,
  type RunStatus,
} from '../../../src-main/domain';
import { parseField, type FieldError, type FieldSpec } from './schema';

export type AxisValue = number | string | boolean;

/** The engine accepts at most this many values per axis. */
export const maxAxisValues = 8;

/** Runs per cell (one per seed) the grid form offers. */
export const maxSeedsPerCell = 10;

/**
 * The label axis (domain/grid.ts labelShareAxis) as a field of the grid form: a share of the labelled
 * training split in percent, above 0 and at most 100, that every run is fine-tuned with.
 */
export function labelShareField(description: string): FieldSpec {
  return {
    key: labelShareAxis,
    kind: 'number',
    group: 'evaluation',
    description,
    unit: '%',
    default: 10,
    exclusiveMinimum: 0,
    maximum: 100,
  };
}

/** The papers' shares (SimCLR v2, Table 1: 1% and 10%; and all the labels), to start a label axis with. */
export const paperLabelShares = '1, 10, 100';

/** Fields that can span an axis: numbers, options and yes/no switches. */
export function axisFields(specs: FieldSpec[]): FieldSpec[] {
  return specs.filter(
    (f) => f.kind === 'integer' || f.kind === 'number' || f.kind === 'enum' || f.kind === 'boolean',
  );
}

/** Why an axis's values cannot be used, as an i18n key under `grid.errors` and its parameters. */
export interface AxisError {
  code: 'empty' | 'tooMany' | 'repeat' | 'value';
  params?: Record<string, string | number>;
  /** For 'value': what is wrong with that value (a field error, as the form reports it). */
  cause?: FieldError;
}

const yes = new Set(['true', 'yes', 'on', '1']);
const no = new Set(['false', 'no', 'off', '0']);

/** "0, 0.5, 1" → [0, 0.5, 1], each value checked against the field as the run form checks it. */
export function parseAxisValues(spec: FieldSpec, text: string): { values: AxisValue[]; error?: AxisError } {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return { values: [], error: { code: 'empty' } };
  if (parts.length > maxAxisValues) {
    return { values: [], error: { code: 'tooMany', params: { n: maxAxisValues } } };
  }
  const values: AxisValue[] = [];
  for (const part of parts) {
    let value: AxisValue;
    if (spec.kind === 'boolean') {
      const lower = part.toLowerCase();
      if (!yes.has(lower) && !no.has(lower)) {
        return {
          values: [],
          error: { code: 'value', params: { value: part }, cause: { code: 'notOption' } },
        };
      }
      value = yes.has(lower);
    } else {
      const parsed = parseField(spec, part);
      if (parsed.error)
        return { values: [], error: { code: 'value', params: { value: part }, cause: parsed.error } };
      value = parsed.value as AxisValue;
    }
    if (values.includes(value)) return { values: [], error: { code: 'repeat', params: { value: part } } };
    values.push(value);
  }
  return { values };
}

const round = (v: number, integer: boolean) => (integer ? Math.round(v) : Number(v.toPrecision(4)));

function inRange(spec: FieldSpec, v: number): boolean {
  return parseField(spec, String(v)).error === undefined;
}

/**
 * Values to start an axis with, so a grid is one click away: both switch states, the first options, and
 * for numbers the default with one contrasting value (a probability against 0, a fraction against 1 —
 * SimCLR's ablation turns an augmentation off that way — otherwise half the default).
 */
export function suggestValues(spec: FieldSpec): string {
  if (spec.kind === 'boolean') return 'false, true';
  if (spec.kind === 'enum') return (spec.options ?? []).slice(0, maxAxisValues).join(', ');
  const d = typeof spec.default === 'number' ? spec.default : undefined;
  if (d === undefined) return '';
  const integer = spec.kind === 'integer';
  let other: number | undefined;
  if (spec.maximum === 1 && spec.minimum === 0) other = d === 0 ? 0.5 : 0;
  else if (spec.maximum === 1) other = d === 1 ? 0.5 : 1;
  else {
    const half = round(d / 2, integer);
    const double = round(d * 2, integer);
    other =
      half !== d && inRange(spec, half) ? half : double !== d && inRange(spec, double) ? double : undefined;
  }
  const values = other === undefined ? [d] : [d, other].sort((a, b) => a - b);
  return values.join(', ');
}

/** The two settings a new grid starts with: SimCLR's crop × colour ablation where the method has them. */
export function defaultAxes(specs: FieldSpec[]): [string, string] | null {
  const fields = axisFields(specs);
  const keys = fields.map((f) => f.key);
  if (keys.includes('cropMinScale') && keys.includes('jitterProb')) return ['cropMinScale', 'jitterProb'];
  const augmentation = fields.filter((f) => f.group === 'augmentation').map((f) => f.key);
  const pick = augmentation.length >= 2 ? augmentation : keys;
  return pick.length >= 2 ? [pick[0]!, pick[1]!] : null;
}

/** One run of a grid cell: one seed. */
export interface GridSeedRun {
  runId: number;
  seed: number;
  status: RunStatus | 'missing';
  /** The metric's final value: set once the run completed with that metric. */
  value: number | null;
  /** Share of the steps done (0..1) while the run trains. */
  progress: number | null;
}

/** One cell of a grid's heatmap: its runs, one per seed, and the mean ± std of their final values. */
export interface GridCell {
  row: number;
  col: number;
  runs: GridSeedRun[];
  /** The cell's status: running or queued while any of its runs is, else completed if one completed. */
  status: RunStatus | 'missing';
  /** Mean ± std over the completed runs with a value; null until one has it. */
  value: MeanStd | null;
  /** While the cell trains: the share of its runs' steps done, finished runs counting whole. */
  progress: number | null;
}

export function gridSeedRun(
  runId: number,
  seed: number,
  run: Run | undefined,
  metric: string,
  progress: RunProgress | undefined,
): GridSeedRun {
  if (!run) return { runId, seed, status: 'missing', value: null, progress: null };
  const v = run.summary[metric];
  const value = run.status === 'completed' && typeof v === 'number' && Number.isFinite(v) ? v : null;
  const share =
    run.status === 'running' && progress && progress.totalSteps > 0
      ? Math.min(1, Math.max(0, progress.step / progress.totalSteps))
      : null;
  return { runId, seed, status: run.status, value, progress: share };
}

/** What a cell is doing, from its runs' statuses: the least finished one decides. */
function cellStatus(runs: readonly GridSeedRun[]): RunStatus | 'missing' {
  for (const status of ['running', 'queued', 'completed'] as const) {
    if (runs.some((r) => r.status === status)) return status;
  }
  return runs.find((r) => r.status !== 'missing')?.status ?? 'missing';
}

export function gridCell(row: number, col: number, runs: GridSeedRun[]): GridCell {
  const status = cellStatus(runs);
  const value = meanStd(runs.flatMap((r) => (r.value === null ? [] : [r.value])));
  const progress =
    status === 'running'
      ? runs.reduce(
          (sum, r) => sum + (r.status === 'running' ? (r.progress ?? 0) : r.status === 'queued' ? 0 : 1),
          0,
        ) / runs.length
      : null;
  return { row, col, runs, status, value, progress };
}

/**
 * Every cell of a grid, row by row as `runIds` holds them, from the runs as the runs store knows them;
 * each cell reads its own metric (along a label axis, the fine-tune's at the cell's share: gridCellMetric).
 */
export function gridCells(
  grid: Grid,
  runOf: (id: number) => Run | undefined,
  progressOf: (id: number) => RunProgress | undefined,
): GridCell[][] {
  return grid.runIds.map((cols, r) =>
    cols.map((ids, c) =>
      gridCell(
        r,
        c,
        ids.map((id, s) =>
          gridSeedRun(id, grid.seeds[s] ?? s, runOf(id), gridCellMetric(grid, r, c), progressOf(id)),
        ),
      ),
    ),
  );
}

/**
 * Where the heatmap draws a grid's cells: the columns' values across and the rows' down; a one-axis
 * sweep (no columns) is one row of cells, its values across.
 */
export interface HeatmapLayout {
  x: GridAxis;
  /** Null for a one-axis sweep: a single row without a name. */
  y: GridAxis | null;
  /** The [x, y] category indices of a cell. */
  at: (cell: Pick<GridCell, 'row' | 'col'>) => [number, number];
}

export function heatmapLayout(grid: Pick<Grid, 'rows' | 'cols'>): HeatmapLayout {
  if (!grid.cols) return { x: grid.rows, y: null, at: (c) => [c.row, 0] };
  return { x: grid.cols, y: grid.rows, at: (c) => [c.col, c.row] };
}

/**
 * The cells with the best mean (several when they tie), by the metric's direction; none when the
 * direction is unknown or fewer than two cells have a value, as there is nothing to compare.
 */
export function bestCells(cells: readonly GridCell[], higherIsBetter: boolean | null): Set<GridCell> {
  const filled = cells.filter((c) => c.value !== null);
  if (higherIsBetter === null || filled.length < 2) return new Set();
  const means = filled.map((c) => c.value!.mean);
  const best = higherIsBetter ? Math.max(...means) : Math.min(...means);
  return new Set(filled.filter((c) => c.value!.mean === best));
}
