import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import readline from 'node:readline';
import type { ContrastLabApi } from '../api/commands';
import { Store } from './store/store';
import { ExternalChangeWatcher } from './store/watch';
import { histogramsToCsv, metricsToCsv, runsToCsv } from './store/csv';
import { EvaluationViews } from './services/evaluation-queries';
import { ConfigError } from '../domain';
import { describeMethod, getMethod, methods, resolveConfig } from './methods';
import { DatasetError } from '../domain';
import { listDatasets, loadDataset } from './data';
import type {
  AugmentationPreview,
  AugmentationPreviewInput,
  Checkpoint,
  CreateGridInput,
  CreateRunInput,
  EmbeddingEpoch,
  EmbeddingSnapshot,
  Grid,
  ImageRef,
  ImageTile,
  Job,
  LogLine,
  MetricPoint,
  RetrievalRanking,
  RetrievalResult,
  Run,
  RunStatus,
  SimilarityHistogram,
} from '../domain';
import type { EngineEvent } from '../api/events';
import type { HostMessage, WorkerMessage } from './runner/protocol';
import { checkpointRoot, runCheckpointDir } from './runner/checkpoint';
import { CheckpointTable, publicCheckpoint } from './store/checkpoints';
import { JobTable } from './store/jobs';
import { GridTable } from './store/grids';
import { RunQueue } from './services/run-queue';
import { planGrid } from './services/grids';
import { JobRunner } from './services/jobs';
import { DatasetCache, drawAugmentationPreview, previewDefaults } from './data/preview';
import { initBackend } from './backend';

/** ContrastLabApi over an engine in this process. */
function createApi(engine: Engine): ContrastLabApi {
  return {
    listMethods: async () => engine.listMethods(),
    listDatasets: async () => listDatasets(),
    listRuns: async () => engine.listRuns(),
    getRun: async (id) => engine.getRun(id),
    createRun: (input) => engine.createRun(input),
    stopRun: async (id) => engine.stopRun(id),
    updateRun: async (id, patch) => engine.updateRun(id, patch),
    deleteRun: async (id) => engine.deleteRun(id),
    getMetrics: async (runIds, keys) => engine.metrics(runIds, keys),
    getLogs: async (runId) => engine.logs(runId),
    exportCsv: async (what, runIds) => engine.exportCsv(what, runIds),
    getHistograms: async (runId) => engine.histograms(runId),
    listEmbeddings: async (runId) => engine.embeddingEpochs(runId),
    getEmbedding: async (runId, epoch) => engine.embedding(runId, epoch),
    getRetrieval: async (runId, queryIndex, k) => engine.retrieval(runId, queryIndex, k),
    getWorstQueries: async (runId, k, count) => engine.worstQueries(runId, k, count),
    getImages: (runId, refs) => engine.images(runId, refs),
    previewAugmentations: (input) => engine.previewAugmentations(input),
    listCheckpoints: async (runId) => engine.checkpoints(runId),
    startLinearProbe: async (runId, checkpointId) => engine.startLinearProbe(runId, checkpointId),
    listJobs: async (runId) => engine.jobs(runId),
    createGrid: (input) => engine.createGrid(input),
    listGrids: async () => engine.grids(),
    getGrid: async (id) => engine.grid(id),
    onEvent: (listener) => engine.on(listener),
  };
}

const terminal = new Set<RunStatus>(['completed', 'failed', 'stopped', 'interrupted']);

/**
 * A worker's entry (runner/worker: runs, runner/job-worker: background jobs): TypeScript source run
 * through tsx in development, a built .js file when bundled.
 */
function workerEntry(name: 'worker' | 'job-worker' = 'worker'): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL(`./runner/${name}.js`, import.meta.url));
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return {
    file: fileURLToPath(new URL(`./runner/${name}.ts`, import.meta.url)),
    // Resolved from this file, not the working directory, so `contrastlab` works from any folder.
    execArgv: ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href],
  };
}

/**
 * The environment of a worker process. Under Electron, process.execPath is the Electron binary: it must
 * run the worker as plain Node (fork sets this itself in recent Electron versions; be explicit).
 */
function workerEnv(): NodeJS.ProcessEnv {
  return process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
}

export interface EngineOptions {
  /**
   * better-sqlite3's compiled module to load instead of the default one: the Electron main process
   * needs a build for Electron's ABI (see `npm run rebuild:electron`).
   */
  nativeBinding?: string;
  /**
   * Report what other processes write to the database (runs started from the CLI) as events, polling
   * every `intervalMs` (default 500). Off by default: the CLI only cares about its own run.
   */
  watch?: boolean | { intervalMs?: number };
  /** Run workers at most at once (default 2); further runs wait as 'queued' (host/run-queue.ts). */
  maxConcurrentRuns?: number;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The engine host (DESIGN.md, "Processes"): owns the SQLite store, validates and starts runs in worker
 * processes, records what they report, and re-emits it as events for clients. It never imports electron.
 */
export class Engine {
  readonly store: Store;
  /** The API this engine implements, for transports and in-process clients. */
  readonly api: ContrastLabApi = createApi(this);
  private readonly events = new EventEmitter();
  private readonly workers = new Map<number, ChildProcess>();
  private readonly stopping = new Set<number>();
  /** Runs created by this engine: it writes their metrics and logs itself. */
  private readonly ownRuns = new Set<number>();
  private readonly watcher: ExternalChangeWatcher | null = null;
  // Part B of issue #6: checkpoints, background jobs, the run queue, grids and the augmentation preview.
  private readonly checkpointTable: CheckpointTable;
  private readonly jobTable: JobTable;
  private readonly gridTable: GridTable;
  private readonly jobRunner: JobRunner;
  private readonly queue: RunQueue;
  private readonly previewDatasets = new DatasetCache();
  /** Beside the SQLite file; for an in-memory database a temporary folder, made when first needed. */
  private checkpointFolder: string | null;
  private readonly temporaryCheckpoints: boolean;
  private closing = false;

  constructor(dbFile: string, options: EngineOptions = {}) {
    this.store = new Store(dbFile, { nativeBinding: options.nativeBinding });
    this.store.markInterrupted(isProcessAlive);
    this.queue = new RunQueue(options.maxConcurrentRuns ?? 2);
    this.checkpointTable = new CheckpointTable(this.store.db);
    this.jobTable = new JobTable(this.store.db);
    this.jobTable.failOrphans(isProcessAlive);
    this.gridTable = new GridTable(this.store.db);
    this.temporaryCheckpoints = dbFile === ':memory:' || dbFile === '';
    this.checkpointFolder = this.temporaryCheckpoints ? null : checkpointRoot(dbFile);
    this.jobRunner = new JobRunner({
      jobs: this.jobTable,
      entry: () => workerEntry('job-worker'),
      env: workerEnv,
      emit: (e) => this.emit(e),
      addMetrics: (points) => {
        this.store.addMetrics(points);
        this.emit({ event: 'metrics', points });
      },
    });
    if (options.watch) {
      this.watcher = new ExternalChangeWatcher(this.store, {
        intervalMs: typeof options.watch === 'object' ? options.watch.intervalMs : undefined,
        isOwnRun: (id) => this.ownRuns.has(id),
        emit: (e) => this.events.emit('event', e),
      }).start();
    }
  }

  on(listener: (e: EngineEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(e: EngineEvent): void {
    if (this.watcher && (e.event === 'run-created' || e.event === 'run-updated')) this.watcher.noteRun(e.run);
    this.events.emit('event', e);
  }

  listMethods() {
    return methods.map(describeMethod);
  }

  listRuns(ids?: number[]): Run[] {
    return this.store.listRuns(ids);
  }

  getRun(id: number): Run {
    const run = this.store.getRun(id);
    if (!run) throw new ConfigError(`no run with id ${id}`);
    return run;
  }

  metrics(runIds?: number[], keys?: string[]): MetricPoint[] {
    return this.store.metrics(runIds, keys);
  }

  logs(runId: number): LogLine[] {
    return this.store.logs(runId);
  }

  /* ---- Evaluation views (issue #6, part A: diagnostics, embeddings, retrieval, images) ---- */
  // The logic is in host/eval-views.ts; the run worker sends histograms and embeddings (runner/diagnostics.ts).

  private evalViewsInstance: EvaluationViews | null = null;
  /** Made on first use: histograms and embedding tables of migration 2, and a cache of run datasets. */
  private get evalViews(): EvaluationViews {
    this.evalViewsInstance ??= new EvaluationViews(this.store.db, new DatasetCache(2), (id) =>
      this.getRun(id),
    );
    return this.evalViewsInstance;
  }

  histograms(runId: number): SimilarityHistogram[] {
    return this.evalViews.histograms(runId);
  }

  embeddingEpochs(runId: number): EmbeddingEpoch[] {
    return this.evalViews.embeddingEpochs(runId);
  }

  embedding(runId: number, epoch?: number): Promise<EmbeddingSnapshot> {
    return this.evalViews.embedding(runId, epoch);
  }

  retrieval(runId: number, queryIndex: number, k?: number): Promise<RetrievalResult> {
    return this.evalViews.retrieval(runId, queryIndex, k);
  }

  /** Scores every test query once per run, evaluation and k (cached), yielding to the event loop as it goes. */
  worstQueries(runId: number, k?: number, count?: number): Promise<RetrievalRanking> {
    return this.evalViews.worstQueries(runId, k, count);
  }

  images(runId: number, refs: ImageRef[]): Promise<ImageTile[]> {
    return this.evalViews.images(runId, refs);
  }

  /* ---- Evaluation views (issue #6, part B: checkpoints, linear probe jobs, grids, augmentation preview) ---- */

  /**
   * The views a method's settings draw from a few dataset images. Config and dataset are checked as for
   * createRun; augmentation runs on tfjs's pure-JS 'cpu' backend, which is quick for a handful of small
   * images and keeps the host free of the wasm runtime the workers use.
   */
  async previewAugmentations(input: AugmentationPreviewInput): Promise<AugmentationPreview> {
    const method = getMethod(input.method);
    const config = resolveConfig(method, input.config);
    const dataset = await this.previewDatasets.load({ ...input.dataset, seed: config.seed });
    await initBackend('cpu');
    const plan = method.viewPlan(config, dataset.height);
    return drawAugmentationPreview(dataset, plan, input.count ?? previewDefaults.count, input.seed ?? 0);
  }

  checkpoints(runId: number): Checkpoint[] {
    this.getRun(runId);
    return this.checkpointTable.list(runId).map(publicCheckpoint);
  }

  /**
   * Starts a linear probe on a checkpoint of a run as a background job (host/jobs.ts). Without a
   * checkpoint it probes the latest one of a finished run; a named checkpoint must be one of this run's.
   */
  startLinearProbe(runId: number, checkpointId?: number): Job {
    const run = this.getRun(runId);
    let checkpoint;
    if (checkpointId !== undefined) {
      checkpoint = this.checkpointTable.get(checkpointId);
      if (!checkpoint || checkpoint.runId !== runId) {
        throw new ConfigError(`run ${runId} has no checkpoint with id ${checkpointId}`);
      }
    } else {
      if (!terminal.has(run.status)) {
        throw new ConfigError(
          `run ${runId} is ${run.status}; probe it once it has finished, or name a checkpoint`,
        );
      }
      checkpoint = this.checkpointTable.latest(runId);
      if (!checkpoint) throw new ConfigError(`run ${runId} has no checkpoints to probe`);
    }
    if (!fs.existsSync(checkpoint.path)) {
      throw new ConfigError(`the file of checkpoint ${checkpoint.id} is gone (${checkpoint.path})`);
    }
    return this.jobRunner.startLinearProbe(run, checkpoint);
  }

  jobs(runId?: number): Job[] {
    if (runId !== undefined) this.getRun(runId);
    return this.jobTable.list(runId);
  }

  /** Resolves when the job has completed or failed. */
  waitForJob(id: number): Promise<Job> {
    return this.jobRunner.waitForJob(id, (listener) => this.on(listener));
  }

  /**
   * Validates every cell's config first (host/grids.ts) and the dataset, so a bad request records nothing;
   * then records the grid and its rows × cols runs (tagged grid:<id>) in one transaction and queues them.
   */
  async createGrid(input: CreateGridInput): Promise<Grid> {
    const method = getMethod(input.method);
    const name = input.name?.trim() || `${method.title} grid: ${input.rows.field} × ${input.cols.field}`;
    const cells = planGrid(method, input, name);
    await this.checkDataset(input.dataset, method.needsLabels ?? false);
    const metric = input.metric ?? 'probe_top1';
    const { grid, runs } = this.store.db.transaction(() => {
      const created = this.gridTable.create({
        name,
        method: method.id,
        rows: input.rows,
        cols: input.cols,
        metric,
      });
      const runIds: number[][] = input.rows.values.map(() => []);
      const runs = cells.map((cell) => {
        const run = this.store.createRun({
          method: method.id,
          dataset: input.dataset,
          config: cell.config,
          name: cell.name,
          tags: [`grid:${created.id}`],
          backend: input.backend,
        });
        runIds[cell.row]![cell.col] = run.id;
        return run;
      });
      return { grid: this.gridTable.setRunIds(created.id, runIds), runs };
    })();
    for (const run of runs) {
      this.ownRuns.add(run.id);
      this.emit({ event: 'run-created', run });
    }
    this.emit({ event: 'grid-created', grid });
    runs.forEach((run) => this.enqueue(run));
    return grid;
  }

  grids(): Grid[] {
    return this.gridTable.list();
  }

  grid(id: number): Grid {
    const grid = this.gridTable.get(id);
    if (!grid) throw new ConfigError(`no grid with id ${id}`);
    return grid;
  }

  /** The folder of all checkpoints (created for an in-memory database on first use). */
  private checkpointsRoot(): string {
    this.checkpointFolder ??= fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-checkpoints-'));
    return this.checkpointFolder;
  }

  /** Queues a recorded run; it starts when a worker slot is free (see pump). */
  private enqueue(run: Run): void {
    // Until its worker exists, the host answers for the run: a queued run is interrupted only if the host dies.
    this.store.setWorkerPid(run.id, process.pid);
    this.queue.push(run.id);
    this.pump();
  }

  /** Starts queued runs while fewer than maxConcurrentRuns workers are busy. */
  private pump(): void {
    if (this.closing) return;
    for (
      let id = this.queue.next(this.workers.size);
      id !== undefined;
      id = this.queue.next(this.workers.size)
    ) {
      const run = this.store.getRun(id);
      if (!run || run.status !== 'queued') continue;
      this.startWorker(run, {
        method: run.method,
        dataset: run.dataset,
        config: run.config,
        backend: run.backendPreference,
      });
    }
  }

  /* ---- end of the evaluation views ---- */

  exportCsv(what: 'runs' | 'metrics' | 'histograms', runIds?: number[]): string {
    const runs = this.store.listRuns(runIds);
    if (runIds) {
      const missing = runIds.filter((id) => !runs.some((r) => r.id === id));
      if (missing.length) throw new ConfigError(`no run with id ${missing.join(', ')}`);
    }
    if (what === 'histograms') return histogramsToCsv(this.evalViews.histogramTable.list(runIds), runs);
    return what === 'runs' ? runsToCsv(runs) : metricsToCsv(this.store.metrics(runIds), runs);
  }

  /**
   * Validates everything first (method, config, dataset), so bad input never leaves a half-written run,
   * then records the run as queued; its worker starts when a slot is free (maxConcurrentRuns).
   */
  async createRun(input: CreateRunInput): Promise<Run> {
    const method = getMethod(input.method);
    const config = resolveConfig(method, input.config);
    await this.checkDataset(input.dataset, method.needsLabels ?? false);
    const name = input.name?.trim() || `${method.title} on ${input.dataset.id}`;
    const run = this.store.createRun({ ...input, config, name });
    this.ownRuns.add(run.id);
    this.emit({ event: 'run-created', run });
    this.enqueue(run);
    return run;
  }

  /**
   * Loads the dataset once in the host so a missing or malformed folder is reported before any run is
   * recorded. (The worker loads it again; for the datasets we ship this costs well under a second.)
   */
  private async checkDataset(spec: CreateRunInput['dataset'], needsLabels: boolean): Promise<void> {
    const source = listDatasets().find((d) => d.id === spec.id);
    if (!source) throw new DatasetError(`unknown dataset "${spec.id}"`);
    if (source.needsDataDir && !spec.dataDir) {
      throw new DatasetError(`dataset ${spec.id} needs a data directory (--data-dir DIR)`);
    }
    const dataset = await loadDataset(spec);
    if (needsLabels && !dataset.train.labels) throw new DatasetError(`dataset ${spec.id} has no labels`);
  }

  private startWorker(run: Run, input: CreateRunInput): void {
    const entry = workerEntry();
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env: workerEnv(),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.workers.set(run.id, child);
    if (child.pid) this.store.setWorkerPid(run.id, child.pid);
    let finished = false;
    // Anything the worker prints (tfjs notices, native warnings) becomes a log line of the run.
    for (const [stream, level] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      if (stream) {
        readline.createInterface({ input: stream }).on('line', (message) => {
          if (message.trim()) this.recordLog({ runId: run.id, time: Date.now() / 1000, level, message });
        });
      }
    }
    child.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'started':
          this.store.markStarted(run.id, m.backend, m.device, child.pid ?? null);
          this.emit({ event: 'run-updated', run: this.getRun(run.id) });
          break;
        case 'metrics':
          this.store.addMetrics(m.points);
          this.emit({ event: 'metrics', points: m.points });
          break;
        case 'progress':
          this.emit({ event: 'progress', progress: m.progress });
          break;
        case 'log':
          this.recordLog(m.line);
          break;
        case 'checkpoint': {
          const { step, epoch, path: file, bytes } = m;
          const saved = this.checkpointTable.add({ runId: run.id, step, epoch, path: file, bytes });
          this.emit({ event: 'checkpoint', checkpoint: publicCheckpoint(saved) });
          break;
        }
        case 'histogram':
          this.evalViews.recordHistogram({ ...m.histogram, runId: run.id });
          break;
        case 'embedding':
          this.evalViews.recordEmbedding({ ...m.embedding, runId: run.id });
          break;
        case 'finished':
          finished = true;
          this.finish(run.id, m.status, m.error ?? null);
          break;
      }
    });
    child.on('exit', (code, signal) => {
      this.workers.delete(run.id);
      if (!finished) {
        // The worker died without reporting (native crash, out of memory, killed).
        const stopped = this.stopping.has(run.id);
        this.finish(
          run.id,
          stopped ? 'stopped' : 'failed',
          stopped ? null : `worker exited (${signal ?? `code ${code}`})`,
        );
      }
      this.pump();
    });
    const start: HostMessage = {
      type: 'start',
      runId: run.id,
      method: run.method,
      dataset: input.dataset,
      backend: input.backend ?? 'auto',
      config: run.config,
      checkpointDir: runCheckpointDir(this.checkpointsRoot(), run.id),
    };
    child.send(start);
  }

  private recordLog(line: LogLine): void {
    this.store.addLogs([line]);
    this.emit({ event: 'log', line });
  }

  private finish(runId: number, status: 'completed' | 'failed' | 'stopped', error: string | null): void {
    const current = this.store.getRun(runId);
    if (!current || terminal.has(current.status)) return;
    this.store.markEnded(runId, status, error);
    this.stopping.delete(runId);
    this.emit({ event: 'run-updated', run: this.getRun(runId) });
  }

  /** Asks a run's worker to stop after its current step; it is killed if it does not within `graceMs`. */
  stopRun(id: number, graceMs = 30_000): void {
    // A run still waiting for a slot never starts.
    if (this.queue.remove(id)) return this.finish(id, 'stopped', null);
    const child = this.workers.get(id);
    if (!child) return;
    this.stopping.add(id);
    // A worker that has just exited (its exit event not handled yet) cannot be written to; its exit
    // handler records the run, so a failed send is no error.
    if (child.connected) child.send({ type: 'stop' } satisfies HostMessage, () => {});
    setTimeout(() => {
      if (this.workers.get(id) === child) child.kill('SIGKILL');
    }, graceMs).unref();
  }

  /** Resolves when the run reaches a terminal status. */
  waitForRun(id: number): Promise<Run> {
    return new Promise((resolve) => {
      const check = () => {
        const run = this.getRun(id);
        if (terminal.has(run.status)) {
          off();
          resolve(run);
        }
      };
      const off = this.on((e) => {
        if (e.event === 'run-updated' && e.run.id === id) check();
      });
      check();
    });
  }

  updateRun(id: number, patch: { name?: string; tags?: string[]; notes?: string }): Run {
    const run = this.store.updateRunInfo(id, patch);
    this.emit({ event: 'run-updated', run });
    return run;
  }

  deleteRun(id: number): void {
    if (this.workers.has(id)) throw new ConfigError(`run ${id} is still running; stop it first`);
    if (this.jobRunner.busyWith(id)) throw new ConfigError(`a linear probe of run ${id} is still running`);
    this.queue.remove(id);
    this.store.deleteRun(id);
    this.watcher?.forgetRun(id);
    if (this.checkpointFolder) {
      fs.rmSync(runCheckpointDir(this.checkpointFolder, id), { recursive: true, force: true });
    }
  }

  /** Stops every worker and closes the store. */
  async close(): Promise<void> {
    this.closing = true;
    for (const id of this.queue.drain()) {
      this.store.markEnded(id, 'interrupted', 'the engine closed before this run started');
      this.emit({ event: 'run-updated', run: this.getRun(id) });
    }
    const running = [...this.workers.keys()];
    running.forEach((id) => this.stopRun(id, 10_000));
    await Promise.all([...running.map((id) => this.waitForRun(id)), this.jobRunner.close()]);
    this.watcher?.stop();
    this.store.close();
    if (this.temporaryCheckpoints && this.checkpointFolder) {
      fs.rmSync(this.checkpointFolder, { recursive: true, force: true });
    }
  }
}
