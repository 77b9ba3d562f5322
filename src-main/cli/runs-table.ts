import { runResult, type Run } from '../domain';

/** The columns of `contrastlab runs` on a terminal, in order. */
const headers = [
  'id',
  'name',
  'status',
  'method',
  'dataset',
  'epochs',
  'kNN top-1',
  'probe top-1',
  'duration',
];
/** Columns whose values are numbers: right-aligned, as in a spreadsheet. */
const numeric = new Set(['id', 'epochs', 'kNN top-1', 'probe top-1', 'duration']);
/** Longer names are cut with an ellipsis so one run stays one line. */
const nameWidth = 32;

/** Seconds as `45s`, `3m 20s`, `2h 05m`, `3d 04h`: short enough for a table column. */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor(s / 3600) % 24)}h`;
}

/** How long the run trained: start to end, or to `now` while it runs; blank before it started. */
function durationOf(run: Run, now: Date): string {
  if (!run.startedAt) return '';
  const end = run.endedAt ? Date.parse(run.endedAt) : now.getTime();
  return shortDuration((end - Date.parse(run.startedAt)) / 1000);
}

/**
 * An accuracy as the run's result (`runResult`: never an evaluation of the random initialisation). A run that
 * did not complete says at which step its value was measured, so a stopped run's early kNN is not read
 * as a finished run's.
 */
function accuracy(run: Run, key: string): string {
  const value = runResult(run, key);
  if (value === undefined) return '';
  const percent = `${(100 * value).toFixed(1)}%`;
  const step = run.summarySteps?.[key];
  return run.status === 'completed' || step === undefined ? percent : `${percent} @${step}`;
}

function datasetOf(run: Run): string {
  const size = run.dataset.trainSize;
  return size === undefined ? run.dataset.id : `${run.dataset.id} (${size})`;
}

function cut(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1).trimEnd()}…`;
}

/**
 * `contrastlab runs` for people: one line per run with its result, aligned columns, blank cells for what a
 * run does not have. Scripts read `--json` instead.
 */
export function runsTable(runs: readonly Run[], now: Date = new Date()): string {
  if (runs.length === 0) return 'no runs yet (train one with `contrastlab train --method simclr`)\n';
  const rows = runs.map((run) => [
    String(run.id),
    cut(run.name, nameWidth),
    run.status,
    run.method,
    datasetOf(run),
    typeof run.config.epochs === 'number' ? String(run.config.epochs) : '',
    accuracy(run, 'knn_top1'),
    accuracy(run, 'probe_top1'),
    durationOf(run, now),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric.has(headers[i]!) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
