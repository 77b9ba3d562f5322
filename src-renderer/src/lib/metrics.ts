import { shallowRef } from 'vue';
import {
  coreMetricKeys,
  describeMetric,
  diagnosticKeys,
  headlineMetricKeys,
  type MethodInfo,
  type MetricSpec,
} from '../../../src-main/domain';
import { i18n, type Locale } from '../i18n';

/**
 * The metric registry (domain/metrics.ts) as the app reads it: the core keys, plus the extra keys the
 * engine's methods declare (MethodInfo.metrics), known once the methods have loaded.
 */
const declaredByMethods = shallowRef<Readonly<Record<string, MetricSpec>>>({});

/** Makes the metric keys these methods declare known to every label, format and chart. */
export function declareMethodMetrics(methods: readonly Pick<MethodInfo, 'metrics'>[]): void {
  declaredByMethods.value = Object.assign({}, ...methods.map((m) => m.metrics));
}

/** The metric keys the methods declare (MethodInfo.metrics), once the methods have loaded. */
export function methodMetrics(): Readonly<Record<string, MetricSpec>> {
  return declaredByMethods.value;
}

/** What a metric key means: its spec in the registry, a method's declaration, or the neutral default. */
export function metricSpec(key: string): MetricSpec {
  return describeMetric(key, declaredByMethods.value);
}

/** The metrics every run view shows first, in this order. */
export const mainMetrics: readonly string[] = headlineMetricKeys;

/** Keys sorted: the main ones first, then the rest alphabetically. */
export function orderMetricKeys(keys: Iterable<string>): string[] {
  const set = new Set(keys);
  const rest = [...set].filter((k) => !mainMetrics.includes(k)).sort();
  return [...mainMetrics.filter((k) => set.has(k)), ...rest];
}

/** A metric's label in the current language, with its unit where it has one. */
export function metricLabel(key: string): string {
  const locale = i18n.global.locale.value as Locale;
  const spec = metricSpec(key);
  const label = spec.label[locale];
  return spec.unit ? i18n.global.t('metrics.withUnit', { label, unit: spec.unit[locale] }) : label;
}

/** The diagnostics and the linear probe, which the run view's evaluation section charts. */
export function isDiagnosticKey(key: string): boolean {
  return (diagnosticKeys as readonly string[]).includes(key);
}

/** Whether a larger value is better (for highlighting the best run); null when neither is. */
export function higherIsBetter(key: string): boolean | null {
  const { direction } = metricSpec(key);
  return direction === 'neither' ? null : direction === 'higher';
}

/** Keys in the order the comparison lists them: the core keys in the registry's order, then the rest. */
export function orderCompareKeys(keys: Iterable<string>): string[] {
  const set = new Set(keys);
  const head = coreMetricKeys.filter((k) => set.has(k));
  return [...head, ...orderMetricKeys([...set].filter((k) => !(head as string[]).includes(k)))];
}
