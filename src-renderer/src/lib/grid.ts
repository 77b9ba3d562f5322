/**
 * Grids of runs: which config fields can span an axis, parsing an axis's comma-separated
 * values with the field's own bounds, and what each heatmap cell shows for its run.
 */
import type { Grid, Run, RunProgress, RunStatus } from '../../../src-main/domain';
import { parseField, type FieldError, type FieldSpec } from './schema';

export type AxisValue = number | string | boolean;

/** The engine accepts at most this many values per axis. */
export const maxAxisValues = 8;

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

/** One cell of a grid's heatmap. */
export interface GridCell {
  row: number;
  col: number;
  runId: number;
  status: RunStatus | 'missing';
  /** The metric's final value: set once the run completed with that metric. */
  value: number | null;
  /** Share of the steps done (0..1) while the run trains. */
  progress: number | null;
}

export function gridCell(
  row: number,
  col: number,
  runId: number,
  run: Run | undefined,
  metric: string,
  progress: RunProgress | undefined,
): GridCell {
  if (!run) return { row, col, runId, status: 'missing', value: null, progress: null };
  const v = run.summary[metric];
  const value = run.status === 'completed' && typeof v === 'number' && Number.isFinite(v) ? v : null;
  const share =
    run.status === 'running' && progress && progress.totalSteps > 0
      ? Math.min(1, Math.max(0, progress.step / progress.totalSteps))
      : null;
  return { row, col, runId, status: run.status, value, progress: share };
}

/** Every cell of a grid, row by row, from the runs as the runs store knows them. */
export function gridCells(
  grid: Grid,
  runOf: (id: number) => Run | undefined,
  progressOf: (id: number) => RunProgress | undefined,
): GridCell[][] {
  return grid.runIds.map((ids, r) =>
    ids.map((id, c) => gridCell(r, c, id, runOf(id), grid.metric, progressOf(id))),
  );
}
