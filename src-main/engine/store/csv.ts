import { stringify } from 'csv-stringify/sync';
import {
  groupBySeed,
  meanStd,
  runResult,
  type MetricPoint,
  type Run,
  type SimilarityHistogram,
} from '../../domain';

const runColumns = [
  'run_id',
  'name',
  'method',
  'status',
  'dataset',
  'data_dir',
  'train_size',
  'test_size',
  'backend',
  'device',
  'tags',
  'notes',
  'created_at',
  'started_at',
  'ended_at',
  'duration_s',
  'error',
] as const;

function durationSeconds(run: Run): number | '' {
  if (!run.startedAt) return '';
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  return Math.round((end - Date.parse(run.startedAt)) / 100) / 10;
}

/**
 * A text cell as written: one that starts with =, +, -, @, a tab or a carriage return gets a leading '
 * so a spreadsheet shows it instead of running it as a formula (OWASP, CSV injection). Only text: a
 * number cell such as -0.5 is data and stays as it is.
 */
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A config value as written: strings are text cells, numbers and booleans stay as they are. */
function configCell(value: unknown): unknown {
  return typeof value === 'string' ? text(value) : value;
}

/** Flattens nested config objects into dotted keys ({a: {b: 1}} → a.b). */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[prefix + k] = Array.isArray(v) ? JSON.stringify(v) : v;
  }
  return out;
}

/**
 * One row per run (RFC 4180): run fields (`train_size` / `test_size`: the images of a subset the run
 * asked for, empty for the whole split), then every config key as `config.<key>` and the run's result for
 * every metric as `final.<key>` (its last value; never a probe or fine-tune of the random initialisation,
 * domain/run-result.ts), over the union of keys of the runs exported.
 */
export function runsToCsv(runs: Run[]): string {
  const configs = runs.map((r) => flatten(r.config));
  const configKeys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
  const header = [
    ...runColumns,
    ...configKeys.map((k) => `config.${k}`),
    ...metricKeys.map((k) => `final.${k}`),
  ];
  const rows = runs.map((r, i) => [
    r.id,
    text(r.name),
    text(r.method),
    r.status,
    r.dataset.id,
    text(r.dataset.dataDir ?? ''),
    r.dataset.trainSize ?? '',
    r.dataset.testSize ?? '',
    text(r.backend ?? ''),
    text(r.device ?? ''),
    text(r.tags.join(';')),
    text(r.notes),
    r.createdAt,
    r.startedAt ?? '',
    r.endedAt ?? '',
    durationSeconds(r),
    text(r.error ?? ''),
    ...configKeys.map((k) => configCell(configs[i]![k] ?? '')),
    ...metricKeys.map((k) => runResult(r, k) ?? ''),
  ]);
  return stringify([header, ...rows], { record_delimiter: '\r\n', cast: { boolean: (b) => String(b) } });
}

/** Metric points in long format, never downsampled: run_id,run_name,method,step,epoch,key,value,wall_time. */
export function metricsToCsv(points: MetricPoint[], runs: Run[]): string {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const header = ['run_id', 'run_name', 'method', 'step', 'epoch', 'key', 'value', 'wall_time'];
  const rows = points.map((p) => {
    const run = byId.get(p.runId);
    return [
      p.runId,
      text(run?.name ?? ''),
      text(run?.method ?? ''),
      p.step,
      p.epoch,
      text(p.key),
      p.value,
      p.wallTime,
    ];
  });
  return stringify([header, ...rows], { record_delimiter: '\r\n' });
}

/**
 * Similarity histograms in long format, one row per run, evaluated epoch and bin:
 * run_id,run_name,step,epoch,bin_low,bin_high,positive,negative (fractions of the pairs in the bin).
 */
export function histogramsToCsv(histograms: SimilarityHistogram[], runs: Run[]): string {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const header = ['run_id', 'run_name', 'step', 'epoch', 'bin_low', 'bin_high', 'positive', 'negative'];
  const rows = histograms.flatMap((h) => {
    const name = text(byId.get(h.runId)?.name ?? '');
    const bins = h.positive.length;
    // Edges as the contract defines them, min + i·(max − min)/bins, without float noise (−0.85, not −0.8500000000000001).
    const edge = (i: number) => Number((h.min + (i * (h.max - h.min)) / bins).toPrecision(12));
    return h.positive.map((p, i) => [
      h.runId,
      name,
      h.step,
      h.epoch,
      edge(i),
      edge(i + 1),
      p,
      h.negative[i] ?? '',
    ]);
  });
  return stringify([header, ...rows], { record_delimiter: '\r\n' });
}

/**
 * One row per configuration (RFC 4180): runs that differ only in their seed (domain/seed-groups.ts)
 * are one row, with the dataset as the runs CSV names it, `n` runs, their `seeds` and `run_ids`
 * (separated by ;), the config without the seed as `config.<key>`, and for every final metric
 * `<key>_mean`, `<key>_std` and `<key>_n`. Only completed runs' final values count: a running run's last
 * value is not its result, nor a failed one's. The std is the sample std (n − 1), empty below two
 * values, as pandas and R leave it.
 */
export function aggregateToCsv(runs: Run[]): string {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const seedGroups = groupBySeed(runs);
  const groups = seedGroups.map((g) => g.runIds.map((id) => byId.get(id)!));
  const configs = groups.map((members) => {
    const { seed: _seed, ...config } = members[0]!.config;
    return flatten(config);
  });
  const completed = groups.map((members) => members.filter((r) => r.status === 'completed'));
  const configKeys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
  const header = [
    'method',
    'dataset',
    'data_dir',
    'train_size',
    'test_size',
    'n',
    'completed',
    'seeds',
    'run_ids',
    ...configKeys.map((k) => `config.${k}`),
    ...metricKeys.flatMap((k) => [`${k}_mean`, `${k}_std`, `${k}_n`]),
  ];
  const rows = groups.map((members, i) => {
    const first = members[0]!;
    const stats = metricKeys.flatMap((k) => {
      const m = meanStd(
        completed[i]!.flatMap((r) => {
          const value = runResult(r, k);
          return value === undefined ? [] : [value];
        }),
      );
      return m ? [m.mean, m.n > 1 ? m.std : '', m.n] : ['', '', 0];
    });
    return [
      text(first.method),
      first.dataset.id,
      text(first.dataset.dataDir ?? ''),
      first.dataset.trainSize ?? '',
      first.dataset.testSize ?? '',
      members.length,
      completed[i]!.length,
      seedGroups[i]!.seeds.join(';'),
      members.map((r) => r.id).join(';'),
      ...configKeys.map((k) => configCell(configs[i]![k] ?? '')),
      ...stats,
    ];
  });
  return stringify([header, ...rows], { record_delimiter: '\r\n', cast: { boolean: (b) => String(b) } });
}
