import { diagnosticKeys } from '../../../src-main/domain';
import { humanise, i18n, labelOr } from '../i18n';

/** The metrics every run view shows first, in this order. */
export const mainMetrics = ['loss', 'lr', 'knn_top1', 'images_per_s'];

/** Keys sorted: the main ones first, then the rest alphabetically. */
export function orderMetricKeys(keys: Iterable<string>): string[] {
  const set = new Set(keys);
  const rest = [...set].filter((k) => !mainMetrics.includes(k)).sort();
  return [...mainMetrics.filter((k) => set.has(k)), ...rest];
}

export function metricLabel(key: string): string {
  void i18n.global.locale.value;
  // The diagnostics of issue #6 are named with the evaluation views' messages.
  return labelOr(`metrics.${key}`, labelOr(`evaluation.metrics.${key}`, humanise(key)));
}

/** The per-epoch diagnostics of issue #6 (align, uniform, probe_top1, …), written once per epoch. */
export function isDiagnosticKey(key: string): boolean {
  return (diagnosticKeys as readonly string[]).includes(key);
}

/**
 * Whether a larger value is better (for highlighting the best run); null when it is not clear.
 * Alignment and uniformity are both minimised (Wang & Isola 2020, eqs. 4–5); a higher effective rank
 * goes with better downstream accuracy (RankMe, Garrido et al. 2023); the embedding's std is best near
 * 1/√d and the mean pair similarities depend on the loss, so neither has a direction.
 */
export function higherIsBetter(key: string): boolean | null {
  if (/^knn_top|^probe_top|acc|images_per_s|^effective_rank$/.test(key)) return true;
  if (/loss|^align$|^uniform$/.test(key)) return false;
  return null;
}

/**
 * Keys in the order the comparison lists them: the main ones, then accuracies and the diagnostics in
 * the contract's order, then the rest alphabetically.
 */
export function orderCompareKeys(keys: Iterable<string>): string[] {
  const set = new Set(keys);
  const first = ['loss', 'lr', 'knn_top1', 'knn_top5', 'probe_top1', 'probe_top5', ...diagnosticKeys];
  const head = [...new Set(first)].filter((k) => set.has(k));
  return [...head, ...orderMetricKeys([...set].filter((k) => !head.includes(k)))];
}
