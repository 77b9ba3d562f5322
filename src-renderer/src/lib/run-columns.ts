/**
 * The runs table's columns: the run's own fields, any config field (`config.<key>`, nested fields
 * dotted as the runs CSV writes them) and any metric of the runs' summaries (`metric.<key>`), and how a
 * run sorts by each. Pure: the screen passes what needs the clock or the metric registry.
 */
import type { Run } from '../../../src-main/domain';

/** Columns of the run itself (and `finetune`: its fine-tune top-1 with the share of the labels). */
export const runColumns = [
  'id',
  'name',
  'status',
  'method',
  'dataset',
  'finetune',
  'duration',
  'created',
] as const;
export type RunColumnKey = (typeof runColumns)[number];

export type ColumnRef =
  { kind: 'run'; key: RunColumnKey } | { kind: 'config'; key: string } | { kind: 'metric'; key: string };

export const configPrefix = 'config.';
export const metricPrefix = 'metric.';

/** The table as it opens: what it always showed, the fine-tune column where some run has one. */
export const defaultColumns: readonly string[] = [
  'id',
  'name',
  'status',
  'method',
  'dataset',
  'config.backbone',
  'config.epochs',
  'config.batchSize',
  'config.lr',
  'metric.loss',
  'metric.knn_top1',
  'finetune',
  'duration',
  'created',
];

/** Columns every view keeps: a row needs its name to be found and opened. */
export const fixedColumns: readonly string[] = ['name'];

/** A column id (`id`, `config.lr`, `metric.probe_top1`) as what it shows; null for a malformed one. */
export function parseColumn(id: string): ColumnRef | null {
  if ((runColumns as readonly string[]).includes(id)) return { kind: 'run', key: id as RunColumnKey };
  if (id.startsWith(configPrefix) && id.length > configPrefix.length)
    return { kind: 'config', key: id.slice(configPrefix.length) };
  if (id.startsWith(metricPrefix) && id.length > metricPrefix.length)
    return { kind: 'metric', key: id.slice(metricPrefix.length) };
  return null;
}

/** Nested config objects as dotted keys ({a: {b: 1}} → a.b), arrays as JSON: the runs CSV's columns. */
export function flattenConfig(config: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flattenConfig(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[prefix + k] = Array.isArray(v) ? JSON.stringify(v) : v;
  }
  return out;
}

/** A run's config field by its dotted key, or undefined. */
export function configValue(run: Pick<Run, 'config'>, key: string): unknown {
  return flattenConfig(run.config)[key];
}

/** Every config field of the runs (each method's own ones included), sorted. */
export function configKeysOf(runs: readonly Pick<Run, 'config'>[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(flattenConfig(r.config))))].sort();
}

/** Every metric any of the runs has a value of (probe, fine-tune, transfer, system metrics…), sorted. */
export function metricKeysOf(runs: readonly Pick<Run, 'summary'>[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
}

/** What sorting needs from outside: a metric's result (never a random-init evaluation) and a duration. */
export interface SortContext {
  result(run: Run, key: string): number | undefined;
  duration(run: Run): number | null;
  /** The fine-tune top-1 the table shows, or null. */
  fineTune(run: Run): number | null;
}

/** The value a run sorts by in a column: text in lower case, a number, or NaN where it has none. */
export function sortValue(run: Run, column: ColumnRef, ctx: SortContext): string | number {
  switch (column.kind) {
    case 'config': {
      const v = configValue(run, column.key);
      if (v === undefined || v === null || v === '') return NaN;
      return typeof v === 'number' ? v : String(v).toLowerCase();
    }
    case 'metric':
      return ctx.result(run, column.key) ?? NaN;
    case 'run':
      switch (column.key) {
        case 'id':
          return run.id;
        case 'name':
          return run.name.toLowerCase();
        case 'status':
          return run.status;
        case 'method':
          return run.method;
        case 'dataset':
          return run.dataset.id;
        case 'finetune':
          return ctx.fineTune(run) ?? NaN;
        case 'duration':
          return ctx.duration(run) ?? NaN;
        case 'created':
          return run.createdAt;
      }
  }
}

const missing = (v: string | number) => typeof v === 'number' && Number.isNaN(v);

/**
 * Runs in a column's order: numbers before text, missing values last whichever the direction, ties by
 * id, newest first. Returns a new array.
 */
export function sortRuns(
  runs: readonly Run[],
  column: ColumnRef,
  descending: boolean,
  ctx: SortContext,
): Run[] {
  const dir = descending ? -1 : 1;
  const keyed = runs.map((run) => ({ run, v: sortValue(run, column, ctx) }));
  keyed.sort((a, b) => {
    const na = missing(a.v);
    const nb = missing(b.v);
    if (na || nb) return na === nb ? b.run.id - a.run.id : na ? 1 : -1;
    if (typeof a.v !== typeof b.v) return (typeof a.v === 'number' ? -1 : 1) * dir;
    if (a.v < b.v) return -dir;
    if (a.v > b.v) return dir;
    return b.run.id - a.run.id;
  });
  return keyed.map((k) => k.run);
}

/**
 * Which way a column sorts first: the newest, longest and best first for ids, dates, durations and
 * metrics where higher is better; everything else A to Z, smallest first.
 */
export function sortsDescendingFirst(
  column: ColumnRef,
  higherIsBetter: (key: string) => boolean | null,
): boolean {
  if (column.kind === 'metric') return higherIsBetter(column.key) === true;
  if (column.kind === 'config') return false;
  return ['id', 'created', 'finetune', 'duration'].includes(column.key);
}

/**
 * The columns with `id` shown, beside its kind: a config field after the last config column shown, a
 * metric after the last metric, a run field where the default order puts it; else before the
 * duration and the date, or at the end.
 */
export function withColumn(columns: readonly string[], id: string): string[] {
  if (columns.includes(id)) return [...columns];
  const ref = parseColumn(id);
  if (!ref) return [...columns];
  const sameKind = (c: string) => parseColumn(c)?.kind === ref.kind;
  let at = -1;
  if (ref.kind === 'run') {
    // After the nearest column the default order puts before it.
    const order = defaultColumns.indexOf(id);
    for (let i = 0; i < columns.length; i++) {
      const o = defaultColumns.indexOf(columns[i]!);
      if (o >= 0 && o < order) at = i + 1;
    }
    if (at < 0) at = 0;
  } else {
    for (let i = 0; i < columns.length; i++) if (sameKind(columns[i]!)) at = i + 1;
    if (at < 0) {
      const tail = columns.findIndex((c) => c === 'finetune' || c === 'duration' || c === 'created');
      at = tail < 0 ? columns.length : tail;
    }
  }
  return [...columns.slice(0, at), id, ...columns.slice(at)];
}

/** The columns without `id`; a fixed column (the name) stays. */
export function withoutColumn(columns: readonly string[], id: string): string[] {
  return fixedColumns.includes(id) ? [...columns] : columns.filter((c) => c !== id);
}
