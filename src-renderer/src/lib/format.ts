import type { MetricFormat } from '../../../src-main/domain';
import { metricSpec } from './metrics';

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

/** A value written in one of the metric registry's formats (domain/metrics.ts). */
export function formatWith(format: MetricFormat, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  switch (format.kind) {
    case 'percent':
      return Number.isFinite(v) ? `${(100 * v).toFixed(format.decimals)}%` : '—';
    case 'significant':
      return formatNumber(v, format.digits);
    case 'fixed':
      return Number.isFinite(v) ? v.toFixed(format.decimals) : formatNumber(v);
    case 'integer':
      return Number.isFinite(v) ? String(Math.round(v)) : formatNumber(v);
    case 'scientific':
      return Number.isFinite(v) ? v.toExponential(format.decimals) : formatNumber(v);
  }
}

/** A metric value as tables and tooltips show it, in the format its spec declares. */
export function formatMetric(key: string, v: number | null | undefined): string {
  return formatWith(metricSpec(key).format, v);
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
