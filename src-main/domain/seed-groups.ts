/**
 * Runs that differ only in their seed are one configuration measured several times: they are grouped,
 * and each metric is summarised as mean ± std over them (Compare, the grid heatmap, the runs table's
 * grouping, the aggregate CSV).
 */
import type { Run } from './run';

/** A metric over the runs of a seed group: the mean, the sample standard deviation (n − 1; 0 for one run) and n. */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Runs with the same method, dataset and config except `seed`, oldest first. */
export interface SeedGroup {
  /** Identifies the configuration (method, dataset and config without the seed). */
  key: string;
  runIds: number[];
  seeds: number[];
}

/** JSON with object keys sorted, so equal configs give equal strings whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The key of a run's configuration without its seed: runs with equal keys differ only in their seed. */
export function seedGroupKey(run: Pick<Run, 'method' | 'dataset' | 'config'>): string {
  const { seed: _seed, ...config } = run.config;
  return canonical({ method: run.method, dataset: run.dataset, config });
}

/** The runs grouped by configuration, groups in the order of their first run. */
export function groupBySeed(runs: readonly Run[]): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const run of runs) {
    const key = seedGroupKey(run);
    const group = groups.get(key) ?? { key, runIds: [], seeds: [] };
    group.runIds.push(run.id);
    group.seeds.push(Number(run.config.seed ?? 0));
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Mean, sample standard deviation and n of the finite values; null when there are none. */
export function meanStd(values: readonly number[]): MeanStd | null {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}
