import { defineStore } from 'pinia';
import { ref, triggerRef, shallowRef } from 'vue';
import type { ResumeRunInput, RunPatch } from '../../../src-main/domain';
import type { CreateRunInput, LogLine, MetricPoint, Run, RunProgress } from '../../../src-main/domain';
import type { EngineEvent } from '../../../src-main/api/events';
import { useApi } from '../api';
import { newResume, truncateSeries } from '../lib/resume';
import { appendPoint, seriesFromPoints, type Series } from '../lib/series';
import { applySummaryPoint, mergeSummaries } from '../lib/summary';
import { useEvaluationStore } from './evaluation';

export const terminalStatuses = new Set(['completed', 'failed', 'stopped', 'interrupted']);
export const isActive = (run: Run) => run.status === 'running' || run.status === 'queued';

/** The metric series of one run, outside Vue's reactivity (they can hold many points). */
interface RunMetrics {
  series: Map<string, Series>;
  state: 'loading' | 'loaded';
  /** Points that arrived while the initial load was in flight. */
  buffer: MetricPoint[];
  /** When the last point arrived as an event (ms), to notice runs that report no events. */
  lastEventAt: number;
}

const maxLogLines = 5000;

/**
 * Every run in the database, kept current from engine events (and a slow poll for changes made by
 * another process, such as a run started from the CLI), plus the metric series, progress and log lines
 * of the runs a view has opened. Metric points from events are appended to the series in place; views
 * watch `version(runId)` to redraw.
 */
export const useRunsStore = defineStore('runs', () => {
  const api = useApi();
  const evaluation = useEvaluationStore();
  const runs = ref<Run[]>([]);
  const loaded = ref(false);
  const progress = ref<Record<number, RunProgress>>({});
  const logs = ref<Record<number, LogLine[]>>({});
  const metrics = new Map<number, RunMetrics>();
  /** Bumped whenever a run's series change; a reactive handle on the non-reactive series. */
  const versions = shallowRef(new Map<number, number>());
  const logsLoaded = new Set<number>();

  function byId(id: number | null | undefined): Run | undefined {
    return id === null || id === undefined ? undefined : runs.value.find((r) => r.id === id);
  }

  function upsert(run: Run): void {
    const i = runs.value.findIndex((r) => r.id === run.id);
    if (i >= 0) {
      const resumed = newResume(runs.value[i], run);
      if (resumed) {
        // The engine dropped what was recorded after the checkpoint: the snapshot's summary is the truth.
        runs.value[i] = run;
        restartFrom(run.id, resumed.fromStep);
      } else {
        // A snapshot may be older than the points that events have applied since it was read.
        runs.value[i] = { ...run, ...mergeSummaries(runs.value[i]!, run) };
      }
    } else {
      runs.value.push(run);
      runs.value.sort((a, b) => b.id - a.id);
    }
  }

  async function refresh(): Promise<void> {
    const list = await api.listRuns();
    const ids = new Set(list.map((r) => r.id));
    for (const r of list) upsert(r);
    runs.value = runs.value.filter((r) => ids.has(r.id));
    loaded.value = true;
  }

  function bump(runId: number): void {
    versions.value.set(runId, (versions.value.get(runId) ?? 0) + 1);
    triggerRef(versions);
  }

  /**
   * Cuts a resumed run's series back to the step it restarts from, so the points it trains next are
   * appended, then reloads them from the store in case some arrived before the resume was noticed (a
   * resume by another process shows up at the next poll).
   */
  function restartFrom(runId: number, step: number): void {
    delete progress.value[runId];
    evaluation.forgetAfter(runId, step);
    const m = metrics.get(runId);
    if (!m) return;
    for (const [key, s] of m.series) m.series.set(key, truncateSeries(s, step));
    bump(runId);
    void reloadMetrics(runId).catch(() => undefined);
  }

  function version(runId: number): number {
    return versions.value.get(runId) ?? 0;
  }

  function handleMetrics(points: MetricPoint[]): void {
    const touched = new Set<number>();
    for (const p of points) {
      const run = byId(p.runId);
      if (run) applySummaryPoint(run, p);
      const m = metrics.get(p.runId);
      if (!m) continue;
      m.lastEventAt = Date.now();
      if (m.state === 'loading') m.buffer.push(p);
      else {
        let s = m.series.get(p.key);
        if (!s) m.series.set(p.key, (s = { step: [], epoch: [], wall: [], value: [] }));
        if (appendPoint(s, p)) touched.add(p.runId);
      }
    }
    for (const id of touched) bump(id);
  }

  function handle(e: EngineEvent): void {
    switch (e.event) {
      case 'run-created':
      case 'run-updated':
        upsert(e.run);
        if (terminalStatuses.has(e.run.status)) delete progress.value[e.run.id];
        break;
      case 'metrics':
        handleMetrics(e.points);
        break;
      case 'progress':
        progress.value[e.progress.runId] = e.progress;
        break;
      case 'log': {
        if (!logsLoaded.has(e.line.runId)) break;
        const lines = (logs.value[e.line.runId] ??= []);
        lines.push(e.line);
        if (lines.length > maxLogLines) lines.splice(0, lines.length - maxLogLines);
        break;
      }
    }
  }

  let unsubscribe: (() => void) | null = null;
  let poll: ReturnType<typeof setInterval> | null = null;

  /** Subscribes to events, loads the runs, and polls slowly for changes made by other processes. */
  async function start(): Promise<void> {
    unsubscribe ??= api.onEvent(handle);
    api.onConnection((connected) => {
      // After a reconnect, catch up on what the closed socket missed.
      if (connected && loaded.value) void resync();
    });
    await refresh();
    poll ??= setInterval(() => {
      if (document.visibilityState === 'visible') void refresh().catch(() => undefined);
    }, 5000);
  }

  async function resync(): Promise<void> {
    await refresh();
    for (const id of metrics.keys()) {
      const run = byId(id);
      if (run && isActive(run)) void reloadMetrics(id);
    }
  }

  /** Loads a run's metrics once; later points arrive as events. */
  async function ensureMetrics(runId: number): Promise<void> {
    if (metrics.has(runId)) return;
    await reloadMetrics(runId);
  }

  /** (Re)loads a run's metrics from the store, keeping points that events deliver meanwhile. */
  async function reloadMetrics(runId: number): Promise<void> {
    const existing = metrics.get(runId);
    if (existing?.state === 'loading') return;
    const m: RunMetrics = existing ?? { series: new Map(), state: 'loading', buffer: [], lastEventAt: 0 };
    m.state = 'loading';
    m.buffer = [];
    metrics.set(runId, m);
    try {
      const points = await api.getMetrics([runId]);
      const series = seriesFromPoints(points);
      for (const p of m.buffer) {
        let s = series.get(p.key);
        if (!s) series.set(p.key, (s = { step: [], epoch: [], wall: [], value: [] }));
        appendPoint(s, p);
      }
      m.series = series;
    } catch (e) {
      if (!existing) metrics.delete(runId);
      throw e;
    } finally {
      m.state = 'loaded';
      m.buffer = [];
      bump(runId);
    }
  }

  function seriesOf(runId: number, key: string): Series | undefined {
    return metrics.get(runId)?.series.get(key);
  }

  function metricKeys(runId: number): string[] {
    return [...(metrics.get(runId)?.series.keys() ?? [])];
  }

  function lastEventAt(runId: number): number {
    return metrics.get(runId)?.lastEventAt ?? 0;
  }

  async function ensureLogs(runId: number): Promise<void> {
    if (logsLoaded.has(runId)) return;
    logsLoaded.add(runId);
    logs.value[runId] ??= [];
    const lines = await api.getLogs(runId);
    const pending = logs.value[runId] ?? [];
    const last = lines.length ? lines[lines.length - 1]!.time : -Infinity;
    logs.value[runId] = [...lines, ...pending.filter((l) => l.time > last)].slice(-maxLogLines);
  }

  async function reloadLogs(runId: number): Promise<void> {
    logsLoaded.delete(runId);
    delete logs.value[runId];
    await ensureLogs(runId);
  }

  async function create(input: CreateRunInput): Promise<Run> {
    const run = await api.createRun(input);
    upsert(run);
    return run;
  }

  async function stop(id: number): Promise<void> {
    await api.stopRun(id);
  }

  /** Resumes (or, with moreEpochs, continues) a finished run under its own id. */
  async function resume(id: number, input: ResumeRunInput = {}): Promise<Run> {
    const run = await api.resumeRun(id, input);
    upsert(run);
    return run;
  }

  async function update(id: number, patch: RunPatch): Promise<Run> {
    const run = await api.updateRun(id, patch);
    upsert(run);
    return run;
  }

  async function remove(id: number): Promise<void> {
    await api.deleteRun(id);
    runs.value = runs.value.filter((r) => r.id !== id);
    metrics.delete(id);
    delete progress.value[id];
    delete logs.value[id];
    logsLoaded.delete(id);
  }

  return {
    runs,
    loaded,
    progress,
    logs,
    byId,
    start,
    refresh,
    version,
    ensureMetrics,
    reloadMetrics,
    seriesOf,
    metricKeys,
    lastEventAt,
    ensureLogs,
    reloadLogs,
    create,
    stop,
    resume,
    update,
    remove,
  };
});
