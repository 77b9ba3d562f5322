/** Formatting of numbers, durations and times for tables and tooltips. */

export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(100 * v).toFixed(1)}%`;
}

/** Whether a metric is an accuracy (a fraction shown as a percentage): kNN, linear probe, …. */
export function isPercentMetric(key: string): boolean {
  return /^knn_top|^probe_top|acc/.test(key);
}

/** A metric value as a table shows it: accuracies as percentages, the rest as numbers. */
export function formatMetric(key: string, v: number | null | undefined): string {
  if (isPercentMetric(key)) return formatPercent(v);
  if (key === 'images_per_s') return v === null || v === undefined ? '—' : v.toFixed(0);
  return formatNumber(v);
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** Local time as "2026-11-25 07:36": compact, sortable, the same in every language. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v, 6);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Today's date as yyyy-mm-dd, for file names. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
