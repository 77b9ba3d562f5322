import { meanStd, type BackendPreference, type MeanStd } from '../../domain';
import { getMethod, methods, methodSchema, resolveConfig } from '../../engine/methods';
import { recordRun, type RunData, type RunHooks, type RunRecord } from './e2e';

export interface QualityOptions extends RunData, RunHooks {
  /** Method ids, or ['all'] for every registered method (default). */
  methods?: string[];
  /** Epochs of each run (default 1). */
  epochs?: number;
  /** Runs per method, with seeds s, s+1, … where s is the config's seed (default 1). */
  seeds?: number;
  backend?: BackendPreference;
  /** Config fields for every run (`--set`, and --backbone/--width/--batch-size). */
  set?: Record<string, unknown>;
  /** Called after each run with its row. */
  onRow?: (row: QualityRow) => void;
}

export interface QualityRow extends RunRecord {
  /** The run's seed. */
  seed: number;
  /** True when the kNN top-1 at the end is above its step-0 value. */
  learned: boolean;
  /** --set keys left out for this method because its schema has no such field. */
  ignoredKeys: string[];
}

/** The method ids a --method value names: one id, a comma-separated list, or `all`. */
export function selectMethods(spec: string[] | undefined): string[] {
  const ids = (spec ?? ['all'])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0 || ids.includes('all')) return methods.map((m) => m.id);
  for (const id of ids) getMethod(id); // unknown ids fail before anything trains
  return [...new Set(ids)];
}

/**
 * `bench quality`: a short run of each method with its paper defaults on the CIFAR-10 subset; does
 * the kNN monitor end above its step-0 value? The "every method learns" check.
 */
export async function benchQuality(options: QualityOptions): Promise<QualityRow[]> {
  const ids = selectMethods(options.methods);
  const rows: QualityRow[] = [];
  for (const id of ids) {
    if (options.shouldStop?.()) break;
    const method = getMethod(id);
    const known = Object.keys(methodSchema(method).shape);
    const set = { ...options.set };
    // With several methods, a field only some of them have applies to those; alone, a typo is an error.
    const ignoredKeys = ids.length > 1 ? Object.keys(set).filter((k) => !known.includes(k)) : [];
    for (const k of ignoredKeys) delete set[k];
    const base = resolveConfig(method, { ...set, epochs: options.epochs ?? 1 });
    for (let i = 0; i < (options.seeds ?? 1); i++) {
      if (options.shouldStop?.()) break;
      const config = { ...base, seed: base.seed + i };
      options.log?.(
        `quality: ${method.id} seed ${config.seed} (${config.backbone} width ${config.width}, ` +
          `${config.epochs} epoch${config.epochs === 1 ? '' : 's'})`,
      );
      const record = await recordRun(method, config, options, options.backend ?? 'auto', options);
      const row: QualityRow = {
        ...record,
        seed: config.seed,
        learned: record.knnStart !== null && record.knnEnd !== null && record.knnEnd > record.knnStart,
        ignoredKeys,
      };
      rows.push(row);
      options.onRow?.(row);
    }
  }
  return rows;
}

/** One method's runs over its seeds. */
export interface QualitySummary {
  method: string;
  backbone: string;
  width: number;
  epochs: number;
  /** Seeds asked for; `gain.n` says how many completed. */
  seeds: number;
  /** kNN top-1 at step 0, at the end, and the gain (end − step 0), fractions over the completed seeds. */
  knnStart: MeanStd | null;
  knnEnd: MeanStd | null;
  gain: MeanStd | null;
  /**
   * `learned clearly`: the mean gain is above the spread of the gains across seeds (sample std), so
   * it is not a lucky seed; `within spread`: positive but not above it; `failed`: a seed did not complete.
   */
  verdict: 'learned clearly' | 'within spread' | 'did not learn' | 'failed';
}

/** Groups the rows by method, in their order, and judges each method's gain against its seeds' spread. */
export function summarizeQuality(rows: readonly QualityRow[], seeds: number): QualitySummary[] {
  const byMethod = new Map<string, QualityRow[]>();
  for (const r of rows) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  return [...byMethod.values()].map((runs) => {
    const done = runs.filter((r) => r.outcome === 'completed' && r.knnStart !== null && r.knnEnd !== null);
    const gain = meanStd(done.map((r) => r.knnEnd! - r.knnStart!));
    const first = runs[0]!;
    return {
      method: first.method,
      backbone: first.backbone,
      width: first.width,
      epochs: first.epochs,
      seeds,
      knnStart: meanStd(done.map((r) => r.knnStart!)),
      knnEnd: meanStd(done.map((r) => r.knnEnd!)),
      gain,
      verdict: qualityVerdict(gain, seeds),
    };
  });
}

function qualityVerdict(gain: MeanStd | null, seeds: number): QualitySummary['verdict'] {
  if (!gain || gain.n < seeds) return 'failed';
  if (!(gain.mean > 0)) return 'did not learn';
  return gain.mean > gain.std ? 'learned clearly' : 'within spread';
}
