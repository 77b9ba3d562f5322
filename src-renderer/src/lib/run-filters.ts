/**
 * Filters of the runs table, typed as `field operator value`: `lr > 0.1`, `method = simclr`,
 * `knn_top1 >= 0.3` (or `>= 30%`), `tag = baseline`, `name ~ sweep`. A field is one of the run's own
 * (method, dataset, status, tag, name, id), else a config field, else a metric; `config.lr` and
 * `metric.lr` say which where a name is both (a bare `lr` is the config's rate). Pure.
 */
import type { Run } from '../../../src-main/domain';
import { configValue } from './run-columns';

export const filterOperators = ['>=', '<=', '!=', '=', '>', '<', '~'] as const;
export type FilterOperator = (typeof filterOperators)[number];

const runFields = ['method', 'dataset', 'status', 'tag', 'name', 'id'] as const;
export type RunFilterField = (typeof runFields)[number];

export type FilterField =
  { kind: 'run'; key: RunFilterField } | { kind: 'config'; key: string } | { kind: 'metric'; key: string };

export interface RunFilter {
  field: FilterField;
  operator: FilterOperator;
  /** The value as typed, unquoted. */
  value: string;
  /** The value as a number where it is one (a percentage of a percent metric as its fraction). */
  number: number | null;
  /** The filter written back the same way whatever the spacing typed: its chip and its saved form. */
  text: string;
}

/** Why a filter was refused, with what the message names. */
export type FilterError =
  | { code: 'empty' }
  | { code: 'noOperator'; text: string }
  | { code: 'noField'; text: string }
  | { code: 'noValue'; field: string }
  | { code: 'unknownField'; field: string }
  | { code: 'notNumber'; field: string; operator: string; value: string }
  | { code: 'textOperator'; field: string; operator: string }
  | { code: 'containsNumber'; field: string };

export type FilterParse = { ok: true; filter: RunFilter } | { ok: false; error: FilterError };

/** What a filter's field may name: the runs' config fields and metrics, and which metrics are percentages. */
export interface FilterFields {
  configKeys: ReadonlySet<string>;
  metricKeys: ReadonlySet<string>;
  isPercent(metricKey: string): boolean;
}

const fieldPattern = /^[A-Za-z_][\w.-]*$/;
const numberPattern = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
/** The run's own text fields: only =, != and ~ (contains) compare them. */
const textOnly: ReadonlySet<RunFilterField> = new Set(['method', 'dataset', 'status', 'tag', 'name']);

/**
 * A field as its chip names it: bare where a bare name means it (`lr` is the config's, `knn_top1` a
 * metric where no config field has that name), else with its kind (`metric.lr`).
 */
function fieldName(field: FilterField, fields: FilterFields): string {
  if (field.kind === 'run') return field.key;
  const bare =
    !(runFields as readonly string[]).includes(field.key.toLowerCase()) &&
    field.key.toLowerCase() !== 'tags' &&
    !field.key.startsWith('config.') &&
    !field.key.startsWith('metric.') &&
    (field.kind === 'config' || !fields.configKeys.has(field.key));
  return bare ? field.key : `${field.kind}.${field.key}`;
}

/** Which field a name means; `known` false lets an unknown name through as a config field (a saved view). */
function resolveField(name: string, fields: FilterFields, known: boolean): FilterField | null {
  const lower = name.toLowerCase();
  if ((runFields as readonly string[]).includes(lower)) return { kind: 'run', key: lower as RunFilterField };
  if (lower === 'tags') return { kind: 'run', key: 'tag' };
  if (name.startsWith('config.') && name.length > 7) return { kind: 'config', key: name.slice(7) };
  if (name.startsWith('metric.') && name.length > 7) return { kind: 'metric', key: name.slice(7) };
  if (fields.configKeys.has(name)) return { kind: 'config', key: name };
  if (fields.metricKeys.has(name)) return { kind: 'metric', key: name };
  return known ? null : { kind: 'config', key: name };
}

/**
 * Parses one filter. `strict` (typing one) refuses a field no run has, so a typo is caught; a saved
 * view's filters are taken as they are (the runs with that field may come back).
 */
export function parseFilter(input: string, fields: FilterFields, strict = true): FilterParse {
  const text = input.trim();
  if (!text) return { ok: false, error: { code: 'empty' } };
  // The first operator in the text, longest first at a position (">=" before ">").
  let at = -1;
  let operator: FilterOperator | null = null;
  for (let i = 0; i < text.length && operator === null; i++)
    for (const op of filterOperators)
      if (text.startsWith(op, i)) {
        at = i;
        operator = op;
        break;
      }
  if (operator === null) return { ok: false, error: { code: 'noOperator', text } };
  const name = text.slice(0, at).trim();
  let value = text.slice(at + operator.length).trim();
  if (!name) return { ok: false, error: { code: 'noField', text } };
  if (/^(["']).*\1$/.test(value) && value.length >= 2) value = value.slice(1, -1);
  if (!value) return { ok: false, error: { code: 'noValue', field: name } };
  const field = resolveField(name, fields, strict);
  if (!field || !fieldPattern.test(name)) return { ok: false, error: { code: 'unknownField', field: name } };

  const percent = /%$/.test(value) && field.kind === 'metric' && fields.isPercent(field.key);
  const numeric = percent ? value.slice(0, -1).trim() : value;
  const number = numberPattern.test(numeric) ? Number(numeric) / (percent ? 100 : 1) : null;
  const ordering = operator !== '=' && operator !== '!=' && operator !== '~';
  if (field.kind === 'run' && textOnly.has(field.key) && ordering)
    return { ok: false, error: { code: 'textOperator', field: name, operator } };
  const numericField = field.kind === 'metric' || (field.kind === 'run' && field.key === 'id');
  if (numericField && operator === '~') return { ok: false, error: { code: 'containsNumber', field: name } };
  if ((ordering || numericField) && number === null)
    return { ok: false, error: { code: 'notNumber', field: name, operator, value } };
  return {
    ok: true,
    filter: { field, operator, value, number, text: `${fieldName(field, fields)} ${operator} ${value}` },
  };
}

function compareNumbers(v: number, op: FilterOperator, x: number): boolean {
  switch (op) {
    case '=':
      return v === x;
    case '!=':
      return v !== x;
    case '>':
      return v > x;
    case '>=':
      return v >= x;
    case '<':
      return v < x;
    case '<=':
      return v <= x;
    case '~':
      return false;
  }
}

function compareText(v: string, op: FilterOperator, x: string): boolean {
  const a = v.toLowerCase();
  const b = x.toLowerCase();
  if (op === '=') return a === b;
  if (op === '!=') return a !== b;
  if (op === '~') return a.includes(b);
  return false;
}

/**
 * Whether a run passes a filter. A run without the field never does (not even for `!=`), as in W&B;
 * `tag != x` keeps the runs without the tag. `result` is the run's metric result (never a random-init
 * evaluation, lib/summary.ts runResult).
 */
export function matchesFilter(
  run: Run,
  filter: RunFilter,
  result: (run: Run, key: string) => number | undefined,
): boolean {
  const { field, operator: op, value, number } = filter;
  if (field.kind === 'metric') {
    const v = result(run, field.key);
    return v !== undefined && number !== null && compareNumbers(v, op, number);
  }
  if (field.kind === 'config') {
    const v = configValue(run, field.key);
    if (v === undefined || v === null) return false;
    if (typeof v === 'number' && number !== null && op !== '~') return compareNumbers(v, op, number);
    return compareText(String(v), op, value);
  }
  switch (field.key) {
    case 'id':
      return number !== null && compareNumbers(run.id, op, number);
    case 'tag':
      if (op === '!=') return !run.tags.some((t) => compareText(t, '=', value));
      return run.tags.some((t) => compareText(t, op, value));
    case 'method':
      return compareText(run.method, op, value);
    case 'dataset':
      return compareText(run.dataset.id, op, value);
    case 'status':
      return compareText(run.status, op, value);
    case 'name':
      return compareText(run.name, op, value);
  }
}

/** The runs that pass every filter. */
export function applyFilters(
  runs: readonly Run[],
  filters: readonly RunFilter[],
  result: (run: Run, key: string) => number | undefined,
): Run[] {
  return runs.filter((r) => filters.every((f) => matchesFilter(r, f, result)));
}
