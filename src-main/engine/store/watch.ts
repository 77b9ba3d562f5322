/**
 * Sees what other processes write to the database (a `contrastlab train` in a terminal, a second app
 * window on the same file) and turns it into engine events, so their runs show up live.
 *
 * SQLite's `PRAGMA data_version` changes exactly when another connection has committed, and never for
 * this connection's own writes, so a poll that finds it unchanged costs one statement. When it has
 * changed, the watcher diffs the runs table against what it last saw and reads metric points and log
 * lines past the highest rowid it has seen. Rows of runs this engine hosts are skipped: the engine
 * reported them itself when it wrote them.
 */
import type { EngineEvent } from '../../api/events';
import type { Run } from '../../domain';
import type { RunStateRow } from './change-feed';
import type { Store } from './store';

export interface WatchOptions {
  /** Milliseconds between polls. */
  intervalMs?: number;
  /** Whether this engine writes a run's metric points and log lines itself. */
  isOwnRun: (runId: number) => boolean;
  emit: (event: EngineEvent) => void;
}

/** Points read per query, so a burst of external writes never loads an unbounded result at once. */
const pageSize = 10_000;

function signature(r: RunStateRow): string {
  return JSON.stringify([
    r.name,
    r.status,
    r.backend,
    r.device,
    r.tags_json,
    r.notes,
    r.error,
    r.started_at,
    r.ended_at,
  ]);
}

function signatureOf(run: Run): string {
  return signature({
    id: run.id,
    name: run.name,
    status: run.status,
    backend: run.backend,
    device: run.device,
    tags_json: JSON.stringify(run.tags),
    notes: run.notes,
    error: run.error,
    started_at: run.startedAt,
    ended_at: run.endedAt,
  });
}

export class ExternalChangeWatcher {
  private dataVersion = 0;
  private lastMetricRowid = 0;
  private lastLogRowid = 0;
  /** What each run looked like when last seen or reported, by id. */
  private readonly runs = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: WatchOptions,
  ) {
    this.baseline();
  }

  /** Takes the current database as seen: only later external changes are reported. */
  private baseline(): void {
    this.lastMetricRowid = this.maxRowid('metrics');
    this.lastLogRowid = this.maxRowid('run_logs');
    this.dataVersion = this.readDataVersion();
    this.runs.clear();
    for (const r of this.runStates()) this.runs.set(r.id, signature(r));
  }

  start(): this {
    if (!this.timer) {
      this.timer = setInterval(() => {
        try {
          this.poll();
        } catch (e) {
          // A busy or closing database: try again at the next tick.
          console.error(`contrastlab: watching the database failed: ${(e as Error).message}`);
        }
      }, this.options.intervalMs ?? 500);
      // Watching never keeps a process (the CLI, a test) alive on its own.
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The engine reported this run itself (created or updated): not an external change. */
  noteRun(run: Run): void {
    this.runs.set(run.id, signatureOf(run));
  }

  /** The engine deleted this run itself. */
  forgetRun(id: number): void {
    this.runs.delete(id);
  }

  /** One check; returns whether another connection had written since the last one. */
  poll(): boolean {
    // Read the rowids before the version: if the version is unchanged, no other connection committed
    // before these reads either, so every row up to them was written here (and reported by the engine).
    const metricRowid = this.maxRowid('metrics');
    const logRowid = this.maxRowid('run_logs');
    const version = this.readDataVersion();
    if (version === this.dataVersion) {
      // (Assigned, not maxed: after this engine deletes the newest rows, rowids are reused.)
      this.lastMetricRowid = metricRowid;
      this.lastLogRowid = logRowid;
      return false;
    }
    this.dataVersion = version;
    this.diffRuns();
    this.readMetrics(metricRowid);
    this.readLogs(logRowid);
    return true;
  }

  private diffRuns(): void {
    const created: number[] = [];
    const updated: number[] = [];
    const seen = new Set<number>();
    for (const row of this.runStates()) {
      seen.add(row.id);
      const sig = signature(row);
      const before = this.runs.get(row.id);
      if (before === sig) continue;
      this.runs.set(row.id, sig);
      if (before === undefined) created.push(row.id);
      else updated.push(row.id);
    }
    for (const id of this.runs.keys()) if (!seen.has(id)) this.runs.delete(id);
    if (created.length === 0 && updated.length === 0) return;
    const byId = new Map(this.store.listRuns([...created, ...updated]).map((r) => [r.id, r]));
    for (const id of created) {
      const run = byId.get(id);
      if (run) this.options.emit({ event: 'run-created', run });
    }
    for (const id of updated) {
      const run = byId.get(id);
      if (run) this.options.emit({ event: 'run-updated', run });
    }
  }

  private readMetrics(maxBefore: number): void {
    // Rowids are max+1: when the newest rows were deleted, new ones may reuse lower numbers.
    if (maxBefore < this.lastMetricRowid) this.lastMetricRowid = maxBefore;
    for (;;) {
      const rows = this.store.changes.metricsAfter(this.lastMetricRowid, pageSize);
      if (rows.length === 0) return;
      this.lastMetricRowid = rows.at(-1)!.rowid;
      const points = rows
        .filter((r) => !this.options.isOwnRun(r.runId))
        .map(({ runId, step, epoch, key, value, wallTime }) => ({
          runId,
          step,
          epoch,
          key,
          value,
          wallTime,
        }));
      if (points.length) this.options.emit({ event: 'metrics', points });
      if (rows.length < pageSize) return;
    }
  }

  private readLogs(maxBefore: number): void {
    if (maxBefore < this.lastLogRowid) this.lastLogRowid = maxBefore;
    for (;;) {
      const rows = this.store.changes.logsAfter(this.lastLogRowid, pageSize);
      if (rows.length === 0) return;
      this.lastLogRowid = rows.at(-1)!.rowid;
      for (const { rowid: _rowid, ...line } of rows) {
        if (!this.options.isOwnRun(line.runId)) this.options.emit({ event: 'log', line });
      }
      if (rows.length < pageSize) return;
    }
  }

  private runStates(): RunStateRow[] {
    return this.store.changes.runStates();
  }

  private maxRowid(table: 'metrics' | 'run_logs'): number {
    return this.store.changes.maxRowid(table);
  }

  private readDataVersion(): number {
    return this.store.changes.dataVersion();
  }
}
