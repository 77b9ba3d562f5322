import { StoreError } from '../../domain';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ChangeFeed } from './change-feed';
import { CheckpointTable } from './checkpoints';
import { DatasetTable } from './datasets';
import { EmbeddingTable } from './embeddings';
import { GridTable } from './grids';
import { HistogramTable } from './histograms';
import { HostTable } from './hosts';
import { JobTable } from './jobs';
import { migrations } from './migrations';
import { ResumeTable } from './resumes';
import { SettingsTable } from './settings';
import { publicSlurmJob, SlurmJobTable, type StoredSlurmJob } from './slurm-jobs';
import type { CreateRunInput, LogLine, MetricPoint, Run, RunResume, RunStatus } from '../../domain';

interface RunRow {
  id: number;
  name: string;
  method: string;
  status: RunStatus;
  dataset_json: string;
  backend_preference: string;
  backend: string | null;
  device: string | null;
  config_json: string;
  tags_json: string;
  notes: string;
  error: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  host_id: number | null;
  executor: Run['executor'];
}

type Summary = Pick<Run, 'summary' | 'summarySteps'>;

export interface StoreOptions {
  /**
   * better-sqlite3's compiled module to load instead of the default one (Electron needs its own build).
   */
  nativeBinding?: string;
  /**
   * Create the file (and its folder) when it does not exist (default true). False refuses a missing
   * file, so a mistyped path on a command that reads a lab never leaves an empty database behind.
   */
  create?: boolean;
}

const now = () => new Date().toISOString();

/**
 * The SQLite store: every run, its config and every metric point, and the tables of checkpoints, jobs,
 * grids, histograms and embeddings. One writer (the engine host); WAL mode so readers (another CLI, the
 * UI) never block it. The database handle stays in here: every query is a method of the store or of
 * one of its tables.
 */
export class Store {
  private readonly db: Database.Database;
  readonly checkpoints: CheckpointTable;
  readonly jobs: JobTable;
  readonly grids: GridTable;
  readonly histograms: HistogramTable;
  readonly embeddings: EmbeddingTable;
  readonly hosts: HostTable;
  readonly resumes: ResumeTable;
  readonly settings: SettingsTable;
  readonly datasets: DatasetTable;
  readonly slurmJobs: SlurmJobTable;
  /** What other connections wrote, for the change watcher (watch.ts). */
  readonly changes: ChangeFeed;

  constructor(
    readonly file: string,
    options: StoreOptions = {},
  ) {
    let db: Database.Database | null = null;
    try {
      db = Store.open(file, options);
      // Checked before anything is written: a file refused here keeps its journal mode and schema.
      Store.checkOurs(db);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      Store.migrate(db);
    } catch (e) {
      db?.close();
      const where = file === '' ? '' : ` ${file}`;
      throw new StoreError(`cannot open database${where}: ${(e as Error).message}`);
    }
    this.db = db;
    this.checkpoints = new CheckpointTable(this.db);
    this.jobs = new JobTable(this.db);
    this.grids = new GridTable(this.db);
    this.histograms = new HistogramTable(this.db);
    this.embeddings = new EmbeddingTable(this.db);
    this.hosts = new HostTable(this.db);
    this.resumes = new ResumeTable(this.db);
    this.settings = new SettingsTable(this.db);
    this.datasets = new DatasetTable(this.db);
    this.slurmJobs = new SlurmJobTable(this.db);
    this.changes = new ChangeFeed(this.db);
  }

  /** Runs `fn` in one transaction: everything it writes is committed together, or nothing is. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Like `transaction`, but takes the write lock first (BEGIN IMMEDIATE): what `fn` reads cannot be
   * changed by another connection before it writes (two processes reading in one events file).
   */
  exclusiveTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Opens the file (creating it only when allowed); nothing is written yet. */
  private static open(file: string, options: StoreOptions): Database.Database {
    // better-sqlite3 takes '' as a private temporary database, deleted when closed: every run lost.
    if (file === '') throw new Error('the path is empty');
    const memory = file === ':memory:';
    const create = options.create ?? true;
    if (!memory && !create && !fs.existsSync(file)) throw new Error('the file does not exist');
    if (!memory && create) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new Database(file, {
      nativeBinding: options.nativeBinding,
      fileMustExist: !memory && !create,
    });
  }

  /**
   * Refuses a database of a newer schema, and another application's SQLite file (tables but no
   * ContrastLab schema version, or a version without our runs table): migrating would change it.
   */
  private static checkOurs(db: Database.Database): void {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
      throw new Error(
        `it was written by a newer ContrastLab (schema ${version}, this one knows ${migrations.length})`,
      );
    }
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`,
      )
      .pluck()
      .all() as string[];
    const ours = version === 0 ? tables.length === 0 : tables.includes('runs');
    if (!ours) {
      const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
      throw new Error(`it is not a ContrastLab database (its tables: ${shown || 'none'})`);
    }
  }

  private static migrate(db: Database.Database): void {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) {
      db.transaction(() => {
        db.exec(migrations[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Records a queued run. `hostId` is the engine host that will start it (hosts.ts): from this INSERT on,
   * another process opening the database knows whose run it is.
   */
  createRun(
    input: CreateRunInput & { config: Record<string, unknown>; name: string },
    hostId: number | null = null,
  ): Run {
    const info = this.db
      .prepare(
        `INSERT INTO runs (name, method, status, dataset_json, backend_preference, config_json, tags_json, created_at, host_id, executor)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.name,
        input.method,
        JSON.stringify(input.dataset),
        input.backend ?? 'auto',
        JSON.stringify(input.config),
        JSON.stringify(input.tags ?? []),
        now(),
        hostId,
        input.executor ?? 'local',
      );
    return this.getRun(Number(info.lastInsertRowid))!;
  }

  getRun(id: number): Run | null {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row
      ? this.toRun(
          row,
          this.summaries([id]).get(id),
          this.resumes.ofRuns([id]).get(id),
          row.executor === 'slurm' ? this.slurmJobs.get(id) : null,
        )
      : null;
  }

  listRuns(ids?: number[]): Run[] {
    const rows = (
      ids
        ? this.db
            .prepare(`SELECT * FROM runs WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`)
            .all(...ids)
        : this.db.prepare('SELECT * FROM runs ORDER BY id').all()
    ) as RunRow[];
    const summaries = this.summaries(rows.map((r) => r.id));
    const resumes = this.resumes.ofRuns(rows.map((r) => r.id));
    const jobs = this.slurmJobs.ofRuns(rows.filter((r) => r.executor === 'slurm').map((r) => r.id));
    return rows.map((r) => this.toRun(r, summaries.get(r.id), resumes.get(r.id), jobs.get(r.id)));
  }

  /** The last value (highest step, then latest write) of every metric key of the given runs, and its step. */
  private summaries(ids: number[]): Map<number, Summary> {
    const out = new Map<number, Summary>();
    if (ids.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT run_id, key, value, step FROM (
           SELECT run_id, key, value, step, ROW_NUMBER() OVER (PARTITION BY run_id, key ORDER BY step DESC, rowid DESC) AS rn
           FROM metrics WHERE run_id IN (${ids.map(() => '?').join(',')})
         ) WHERE rn = 1`,
      )
      .all(...ids) as { run_id: number; key: string; value: number; step: number }[];
    for (const r of rows) {
      let s = out.get(r.run_id);
      if (!s) out.set(r.run_id, (s = { summary: {}, summarySteps: {} }));
      s.summary[r.key] = r.value;
      s.summarySteps[r.key] = r.step;
    }
    return out;
  }

  private toRun(
    row: RunRow,
    summary: Summary = { summary: {}, summarySteps: {} },
    resumes: RunResume[] = [],
    slurmJob: StoredSlurmJob | null = null,
  ): Run {
    return {
      id: row.id,
      name: row.name,
      method: row.method,
      status: row.status,
      dataset: JSON.parse(row.dataset_json),
      backendPreference: row.backend_preference as Run['backendPreference'],
      executor: row.executor,
      slurm: slurmJob ? publicSlurmJob(slurmJob) : null,
      backend: row.backend,
      device: row.device,
      config: JSON.parse(row.config_json),
      tags: JSON.parse(row.tags_json),
      notes: row.notes,
      error: row.error,
      createdAt: row.created_at,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      resumes,
      ...summary,
    };
  }

  markStarted(id: number, backend: string, device: string, pid: number | null): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', backend = ?, device = ?, worker_pid = ?,
         started_at = COALESCE(started_at, ?) WHERE id = ?`,
      )
      .run(backend, device, pid, now(), id);
  }

  setWorkerPid(id: number, pid: number): void {
    this.db.prepare('UPDATE runs SET worker_pid = ? WHERE id = ?').run(pid, id);
  }

  /** Ends a run: completed, failed, stopped or interrupted. */
  markEnded(id: number, status: Exclude<RunStatus, 'queued' | 'running'>, error: string | null = null): void {
    this.db
      .prepare(`UPDATE runs SET status = ?, error = ?, ended_at = ?, worker_pid = NULL WHERE id = ?`)
      .run(status, error, now(), id);
  }

  /**
   * When a process opens the database: a run still `running` or `queued` whose engine host is gone was
   * cut off; mark it interrupted. Returns the ids marked. A run knows its host (hosts.ts); runs recorded
   * before hosts were (no host_id) fall back to their worker's pid. A Slurm run lives on its cluster,
   * whatever became of the host that submitted it: Slurm says when it ends.
   */
  markInterrupted(isAlive: (pid: number) => boolean): number[] {
    const rows = this.db
      .prepare(
        `SELECT id, worker_pid, host_id FROM runs WHERE status IN ('running', 'queued') AND executor = 'local'`,
      )
      .all() as { id: number; worker_pid: number | null; host_id: number | null }[];
    const hostAlive = new Map<number, boolean>();
    const alive = (r: (typeof rows)[number]) => {
      if (r.host_id === null) return r.worker_pid !== null && isAlive(r.worker_pid);
      if (!hostAlive.has(r.host_id)) hostAlive.set(r.host_id, this.hosts.isAlive(r.host_id, isAlive));
      return hostAlive.get(r.host_id)!;
    };
    const dead = rows.filter((r) => !alive(r)).map((r) => r.id);
    for (const id of dead)
      this.markEnded(id, 'interrupted', 'the process training this run ended unexpectedly');
    return dead;
  }

  updateRunInfo(id: number, patch: { name?: string; tags?: string[]; notes?: string }): Run {
    const run = this.getRun(id);
    if (!run) throw new StoreError(`no run with id ${id}`);
    this.db
      .prepare('UPDATE runs SET name = ?, tags_json = ?, notes = ? WHERE id = ?')
      .run(patch.name ?? run.name, JSON.stringify(patch.tags ?? run.tags), patch.notes ?? run.notes, id);
    return this.getRun(id)!;
  }

  /**
   * Takes a finished run back to `queued` to resume it from a checkpoint at `fromStep`, in one
   * transaction: what was recorded after that step (metric points, histograms, embeddings, checkpoints)
   * is deleted, since the resumed run records it again; the resume is added to the run's history.
   * Returns the files of the deleted checkpoints.
   */
  reopenRun(
    id: number,
    resume: Omit<RunResume, 'at'>,
    config: Record<string, unknown>,
    hostId: number,
  ): { run: Run; deletedCheckpointFiles: string[] } {
    return this.transaction(() => {
      const files = this.checkpoints
        .list(id)
        .filter((c) => c.step > resume.fromStep)
        .map((c) => c.path);
      for (const table of ['metrics', 'histograms', 'embeddings', 'checkpoints']) {
        this.db.prepare(`DELETE FROM ${table} WHERE run_id = ? AND step > ?`).run(id, resume.fromStep);
      }
      this.resumes.add(id, resume);
      this.db
        .prepare(
          `UPDATE runs SET status = 'queued', error = NULL, ended_at = NULL, worker_pid = NULL, host_id = ?,
           config_json = ? WHERE id = ?`,
        )
        .run(hostId, JSON.stringify(config), id);
      return { run: this.getRun(id)!, deletedCheckpointFiles: files };
    });
  }

  deleteRun(id: number): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  }

  /** Appends metric points in one transaction. */
  addMetrics(points: MetricPoint[]): void {
    if (points.length === 0) return;
    const insert = this.db.prepare(
      'INSERT INTO metrics (run_id, step, epoch, key, value, wall_time) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction((ps: MetricPoint[]) => {
      for (const p of ps) insert.run(p.runId, p.step, p.epoch, p.key, p.value, p.wallTime);
    })(points);
  }

  /** Metric points of the given runs (all runs when omitted), ordered by run, key, step. */
  metrics(runIds?: number[], keys?: string[]): MetricPoint[] {
    const where: string[] = [];
    const args: string[] = [];
    // Each list is one JSON parameter: one `?` per id would stop at SQLite's limit of bound variables
    // (SQLITE_MAX_VARIABLE_NUMBER, 32766), and a client may name more runs than that.
    if (runIds) {
      where.push('run_id IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(runIds));
    }
    if (keys) {
      where.push('key IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(keys));
    }
    return this.db
      .prepare(
        `SELECT run_id AS runId, step, epoch, key, value, wall_time AS wallTime FROM metrics
         ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY run_id, key, step, rowid`,
      )
      .all(...args) as MetricPoint[];
  }

  addLogs(lines: LogLine[]): void {
    const insert = this.db.prepare('INSERT INTO run_logs (run_id, time, level, message) VALUES (?, ?, ?, ?)');
    this.db.transaction((ls: LogLine[]) => {
      for (const l of ls) insert.run(l.runId, l.time, l.level, l.message);
    })(lines);
  }

  logs(runId: number): LogLine[] {
    return this.db
      .prepare(
        'SELECT run_id AS runId, time, level, message FROM run_logs WHERE run_id = ? ORDER BY time, rowid',
      )
      .all(runId) as LogLine[];
  }
}
