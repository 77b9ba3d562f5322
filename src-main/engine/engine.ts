import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import readline from 'node:readline';
import { Store } from './store/store';
import { ExternalChangeWatcher } from './store/watch';
import { metricsToCsv, runsToCsv } from './store/csv';
import { ConfigError, describeMethod, getMethod, methods, resolveConfig } from './methods';
import { DatasetError, listDatasets, loadDataset } from './data';
import type {
  AugmentationPreview,
  AugmentationPreviewInput,
  Checkpoint,
  CreateGridInput,
  CreateRunInput,
  EmbeddingEpoch,
  EmbeddingSnapshot,
  EngineEvent,
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
} from './api/types';
import type { HostMessage, WorkerMessage } from './runner/protocol';

const terminal = new Set<RunStatus>(['completed', 'failed', 'stopped', 'interrupted']);

/** The worker entry: TypeScript source run through tsx in development, a built .js file when bundled. */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./runner/worker.js', import.meta.url));
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return {
    file: fileURLToPath(new URL('./runner/worker.ts', import.meta.url)),
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
  private readonly events = new EventEmitter();
  private readonly workers = new Map<number, ChildProcess>();
  private readonly stopping = new Set<number>();
  /** Runs created by this engine: it writes their metrics and logs itself. */
  private readonly ownRuns = new Set<number>();
  private readonly watcher: ExternalChangeWatcher | null = null;

  constructor(dbFile: string, options: EngineOptions = {}) {
    this.store = new Store(dbFile, { nativeBinding: options.nativeBinding });
    this.store.markInterrupted(isProcessAlive);
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
  // TODO(part A): replace these placeholders with the real implementations.

  histograms(runId: number): SimilarityHistogram[] {
    throw new Error(`similarity histograms are not implemented yet (run ${runId})`);
  }

  embeddingEpochs(runId: number): EmbeddingEpoch[] {
    throw new Error(`embeddings are not implemented yet (run ${runId})`);
  }

  embedding(runId: number, epoch?: number): EmbeddingSnapshot {
    throw new Error(`embeddings are not implemented yet (run ${runId}, epoch ${epoch})`);
  }

  retrieval(runId: number, queryIndex: number, k?: number): RetrievalResult {
    throw new Error(`retrieval is not implemented yet (run ${runId}, query ${queryIndex}, k ${k})`);
  }

  worstQueries(runId: number, k?: number, count?: number): RetrievalRanking {
    throw new Error(`retrieval is not implemented yet (run ${runId}, k ${k}, count ${count})`);
  }

  async images(runId: number, refs: ImageRef[]): Promise<ImageTile[]> {
    throw new Error(`images are not implemented yet (run ${runId}, ${refs.length} images)`);
  }

  /* ---- Evaluation views (issue #6, part B: checkpoints, linear probe jobs, grids, augmentation preview) ---- */
  // TODO(part B): replace these placeholders with the real implementations.

  async previewAugmentations(input: AugmentationPreviewInput): Promise<AugmentationPreview> {
    throw new Error(`augmentation preview is not implemented yet (${input.method})`);
  }

  checkpoints(runId: number): Checkpoint[] {
    throw new Error(`checkpoints are not implemented yet (run ${runId})`);
  }

  startLinearProbe(runId: number, checkpointId?: number): Job {
    throw new Error(`linear probe jobs are not implemented yet (run ${runId}, checkpoint ${checkpointId})`);
  }

  jobs(runId?: number): Job[] {
    throw new Error(`jobs are not implemented yet (run ${runId})`);
  }

  async createGrid(input: CreateGridInput): Promise<Grid> {
    throw new Error(`grids are not implemented yet (${input.method})`);
  }

  grids(): Grid[] {
    throw new Error('grids are not implemented yet');
  }

  grid(id: number): Grid {
    throw new Error(`grids are not implemented yet (grid ${id})`);
  }

  /* ---- end of the evaluation views ---- */

  exportCsv(what: 'runs' | 'metrics' | 'histograms', runIds?: number[]): string {
    const runs = this.store.listRuns(runIds);
    if (runIds) {
      const missing = runIds.filter((id) => !runs.some((r) => r.id === id));
      if (missing.length) throw new ConfigError(`no run with id ${missing.join(', ')}`);
    }
    return what === 'runs' ? runsToCsv(runs) : metricsToCsv(this.store.metrics(runIds), runs);
  }

  /**
   * Validates everything first (method, config, dataset), so bad input never leaves a half-written run,
   * then records the run as queued and starts its worker.
   */
  async createRun(input: CreateRunInput): Promise<Run> {
    const method = getMethod(input.method);
    const config = resolveConfig(method, input.config);
    await this.checkDataset(input.dataset, method.needsLabels ?? false);
    const name = input.name?.trim() || `${method.title} on ${input.dataset.id}`;
    const run = this.store.createRun({ ...input, config, name });
    this.ownRuns.add(run.id);
    this.emit({ event: 'run-created', run });
    this.startWorker(run, input);
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
    });
    const start: HostMessage = {
      type: 'start',
      runId: run.id,
      method: run.method,
      dataset: input.dataset,
      backend: input.backend ?? 'auto',
      config: run.config,
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
    const child = this.workers.get(id);
    if (!child) return;
    this.stopping.add(id);
    child.send({ type: 'stop' } satisfies HostMessage);
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
    this.store.deleteRun(id);
    this.watcher?.forgetRun(id);
  }

  /** Stops every worker and closes the store. */
  async close(): Promise<void> {
    const running = [...this.workers.keys()];
    running.forEach((id) => this.stopRun(id, 10_000));
    await Promise.all(running.map((id) => this.waitForRun(id)));
    this.watcher?.stop();
    this.store.close();
  }
}
