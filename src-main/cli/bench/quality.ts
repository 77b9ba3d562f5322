import type { BackendPreference } from '../../domain';
import { getMethod, methods, methodSchema, resolveConfig } from '../../engine/methods';
import { recordRun, type RunData, type RunHooks, type RunRecord } from './e2e';

export interface QualityOptions extends RunData, RunHooks {
  /** Method ids, or ['all'] for every registered method (default). */
  methods?: string[];
  /** Epochs of each run (default 1). */
  epochs?: number;
  backend?: BackendPreference;
  /** Config fields for every run (`--set`, and --backbone/--width/--batch-size). */
  set?: Record<string, unknown>;
  /** Called after each run with its row. */
  onRow?: (row: QualityRow) => void;
}

export interface QualityRow extends RunRecord {
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
    const config = resolveConfig(method, { ...set, epochs: options.epochs ?? 1 });
    options.log?.(
      `quality: ${method.id} (${config.backbone} width ${config.width}, ${config.epochs} epoch${config.epochs === 1 ? '' : 's'})`,
    );
    const record = await recordRun(method, config, options, options.backend ?? 'auto', options);
    const row: QualityRow = {
      ...record,
      learned: record.knnStart !== null && record.knnEnd !== null && record.knnEnd > record.knnStart,
      ignoredKeys,
    };
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}
