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
  return labelOr(`metrics.${key}`, humanise(key));
}

/** Whether a larger value is better (for highlighting the best run); null when it is not clear. */
export function higherIsBetter(key: string): boolean | null {
  if (/^knn_top|acc|images_per_s/.test(key)) return true;
  if (/loss/.test(key)) return false;
  return null;
}
