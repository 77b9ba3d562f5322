/**
 * The engine host's composition root (docs/ARCHITECTURE.md, "Processes"): it opens the store, builds
 * the services, and implements the API over them. It never imports electron.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContrastLabApi } from '../api/commands';
import type { EngineEventListener } from '../api/events';
import type { Job, Run } from '../domain';
import { listDatasets } from './data';
import { DatasetCache } from './data/preview';
import { describeMethod, getMethod, methods } from './methods';
import { datasetCacheRoot } from './data/cache-root';
import { checkpointRoot, runCheckpointDir } from './runner/checkpoint';
import { publicCheckpoint } from './store/checkpoints';
import { Store } from './store/store';
import { ExternalChangeWatcher } from './store/watch';
import { EvaluationQueries } from './services/evaluation-queries';
import { EventBus } from './services/event-bus';
import { checkDataset } from './services/dataset-check';
import { DatasetService } from './services/datasets';
import { CsvExports } from './services/exports';
import { GridFineTunes } from './services/grid-fine-tunes';
import { GridService } from './services/grids';
import { JobRunner } from './services/jobs';
import { checkpointFileOf } from './services/checkpoint-files';
import { AugmentationPreviews } from './services/previews';
import { RunService } from './services/runs';
import { RunLauncher } from './services/run-launcher';
import { RunSupervisor } from './services/run-supervisor';
import { SlurmExecutor } from './services/slurm-executor';
import { isProcessAlive } from './services/worker-process';

export interface EngineOptions {
  /**
   * better-sqlite3's compiled module to load instead of the default one: under Electron it needs a build
   * for Electron's ABI (see `npm run rebuild:electron`).
   */
  nativeBinding?: string;
  /**
   * Report what other processes write to the database (runs started from the CLI) as events, polling
   * every `intervalMs` (default 500), and read in the Slurm runs still unfinished when it opens. Off by
   * default: the CLI only cares about its own run.
   */
  watch?: boolean | { intervalMs?: number };
  /**
   * Local run workers at most at once, instead of the user's setting `maxConcurrentRuns`; further runs
   * wait as 'queued'.
   */
  maxConcurrentRuns?: number;
  /** Milliseconds between two polls of the Slurm runs while some are unfinished (default 2000). */
  slurmPollIntervalMs?: number;
  /** Create the database when it does not exist (default true); false refuses a missing file. */
  create?: boolean;
  /**
   * Resume the runs found interrupted when this engine opens the database, if the user's setting
   * `autoResumeInterrupted` says so: the workbench's hosts (the desktop app, `serve`) ask for it.
   */
  autoResume?: boolean;
  /**
   * Fine-tune the completed runs of grids over the share of the labels (services/grid-fine-tunes.ts) as
   * they complete (default true). `sync`, which exits once it has read the runs in, leaves them to the
   * workbench, which catches up with what is missing when it opens (with `watch`).
   */
  fineTuneGrids?: boolean;
}

/**
 * Where checkpoints go: beside the SQLite file, or for an in-memory database a temporary folder, made
 * when first needed and removed when the engine closes.
 */
class CheckpointFolder {
  private root: string | null;
  readonly temporary: boolean;

  constructor(dbFile: string) {
    this.temporary = dbFile === ':memory:' || dbFile === '';
    this.root = this.temporary ? null : checkpointRoot(dbFile);
  }

  /** The folder of a run's checkpoints (the root is made on first use). */
  forRun(runId: number): string {
    this.root ??= fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-checkpoints-'));
    return runCheckpointDir(this.root, runId);
  }

  /** The folder of a run's checkpoints, or null when no checkpoint was ever written here. */
  existingForRun(runId: number): string | null {
    return this.root ? runCheckpointDir(this.root, runId) : null;
  }

  dispose(): void {
    if (this.temporary && this.root) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Where Slurm runs' folders go when the profile names no shared folder: `slurm-runs` beside the
 * database (fine for a cluster whose nodes see this machine's disk, like a one-node cluster), or the
 * temporary folder of an in-memory database's checkpoints.
 */
function slurmRunsFolder(dbFile: string, checkpoints: CheckpointFolder): string {
  if (checkpoints.temporary) return path.join(path.dirname(checkpoints.forRun(0)), 'slurm-runs');
  return path.join(path.dirname(path.resolve(dbFile)), 'slurm-runs');
}

export class Engine {
  readonly store: Store;
  /** The API this engine implements, for transports and in-process clients (api/client.ts). */
  readonly api: ContrastLabApi;
  private readonly events = new EventBus();
  private readonly checkpoints: CheckpointFolder;
  /** The dataset cache's folder (data/image-cache.ts): beside the database. */
  readonly datasetCacheDir: string;
  private readonly supervisor: RunSupervisor;
  private readonly slurm: SlurmExecutor;
  private readonly jobs: JobRunner;
  private readonly gridFineTunes: GridFineTunes | null = null;
  private readonly datasets: DatasetService;
  private readonly watcher: ExternalChangeWatcher | null = null;
  /** The resumes of interrupted runs this engine started when it opened (autoResume). */
  readonly autoResuming: Promise<void> = Promise.resolve();

  constructor(dbFile: string, options: EngineOptions = {}) {
    const store = new Store(dbFile, { nativeBinding: options.nativeBinding, create: options.create });
    this.store = store;
    // Runs and jobs whose process is gone were cut off when their host died.
    const interrupted = store.markInterrupted(isProcessAlive);
    store.jobs.failOrphans(isProcessAlive);
    const events = this.events;
    const checkpoints = (this.checkpoints = new CheckpointFolder(dbFile));
    const datasetCacheDir = (this.datasetCacheDir = datasetCacheRoot(dbFile));

    const supervisor = (this.supervisor = new RunSupervisor({
      store,
      events,
      maxConcurrentRuns: () => options.maxConcurrentRuns ?? store.settings.get().maxConcurrentRuns,
      checkpointDir: (id) => checkpoints.forRun(id),
      datasetCacheDir,
    }));
    const slurm = (this.slurm = new SlurmExecutor({
      store,
      events,
      defaultSharedDir: () => slurmRunsFolder(dbFile, checkpoints),
      pollIntervalMs: options.slurmPollIntervalMs,
    }));
    // The workbench's hosts (those that watch the database) read in the Slurm runs still going on in the
    // cluster, whoever submitted them; a command (runs, export) only reads the database as it is.
    if (options.watch && slurm.hasUnfinishedRuns()) slurm.startPolling();
    const launcher = new RunLauncher(supervisor, slurm);
    const jobs = (this.jobs = new JobRunner(store, events, datasetCacheDir));
    if (options.watch) {
      const watcher = new ExternalChangeWatcher(store, {
        intervalMs: typeof options.watch === 'object' ? options.watch.intervalMs : undefined,
        isOwnRun: (id) => supervisor.hosts(id),
        emit: (e) => events.emit(e),
      });
      // What this engine reports itself is no external change.
      events.on((e) => {
        if (e.event === 'run-created' || e.event === 'run-updated') watcher.noteRun(e.run);
      });
      this.watcher = watcher.start();
    }
    const runs = new RunService({
      store,
      events,
      supervisor,
      launcher,
      jobs,
      checkpointDir: (id) => {
        const runDir = slurm.runDir(id);
        return runDir ? path.join(runDir, 'checkpoints') : checkpoints.existingForRun(id);
      },
      deleted: (id) => this.watcher?.forgetRun(id),
    });
    const grids = new GridService(store, events, supervisor, launcher);
    if (options.fineTuneGrids !== false) {
      this.gridFineTunes = new GridFineTunes(store, events, jobs).listen();
      if (options.watch) this.gridFineTunes.catchUp();
    }
    const evaluation = new EvaluationQueries(store, new DatasetCache(2, datasetCacheDir), (id) =>
      runs.get(id),
    );
    const exports = new CsvExports(store);
    const previews = new AugmentationPreviews(datasetCacheDir);
    const datasets = (this.datasets = new DatasetService(store, datasetCacheDir));
    if (options.autoResume && interrupted.length > 0 && store.settings.get().autoResumeInterrupted) {
      this.autoResuming = this.resumeAll(runs, interrupted);
    }

    this.api = {
      listMethods: async () => methods.map(describeMethod),
      listDatasets: async () => listDatasets(),
      listDatasetEntries: () => datasets.list(),
      addDataset: (input) => datasets.add(input),
      removeDataset: async ({ entryId }) => datasets.remove(entryId),
      checkDataset: ({ spec, method }) =>
        checkDataset(spec, method ? (getMethod(method).needsLabels ?? false) : false),
      describeDataset: ({ spec, refresh }) => datasets.describe(spec, refresh),
      datasetSamples: ({ spec, perClass }) => datasets.samples(spec, perClass),
      deleteDatasetCache: ({ spec, file, imageSize }) => datasets.deleteCache(spec, { file, imageSize }),
      buildDatasetCache: ({ spec, rebuild }) => datasets.buildCache(spec, rebuild),
      listDatasetJobs: async () => datasets.listJobs(),
      listRuns: async () => runs.list(),
      getRun: async (id) => runs.get(id),
      createRun: (input) => runs.create(input),
      stopRun: (id, force) => runs.stop(id, force),
      updateRun: async (id, patch) => runs.update(id, patch),
      resumeRun: (id, options) => runs.resume(id, options),
      deleteRun: async (id) => runs.delete(id),
      getMetrics: async (runIds, keys) => runs.metrics(runIds, keys),
      getLogs: async (runId) => runs.logs(runId),
      exportCsv: async (what, runIds) => exports.export(what, runIds),
      getHistograms: async (runId) => evaluation.histograms(runId),
      listEmbeddings: async (runId) => evaluation.embeddingEpochs(runId),
      getEmbedding: (runId, epoch) => evaluation.embedding(runId, epoch),
      getRetrieval: (runId, queryIndex, k) => evaluation.retrieval(runId, queryIndex, k),
      getWorstQueries: (runId, k, count) => evaluation.worstQueries(runId, k, count),
      getImages: (runId, refs) => evaluation.images(runId, refs),
      previewAugmentations: (input) => previews.preview(input),
      listCheckpoints: async (runId) => {
        runs.get(runId);
        return store.checkpoints.list(runId).map(publicCheckpoint);
      },
      getCheckpointFile: async (checkpointId) => checkpointFileOf(store, checkpointId),
      startLinearProbe: async (runId, checkpointId, optimizer) =>
        jobs.startLinearProbe(runId, checkpointId, optimizer),
      startFineTune: (runId, input) => jobs.startFineTune(runId, input),
      startTransfer: (runId, input) => jobs.startTransfer(runId, input),
      startDistillation: (runId, input) => jobs.startDistillation(runId, input),
      listJobs: async (runId) => {
        if (runId !== undefined) runs.get(runId);
        return store.jobs.list(runId);
      },
      createGrid: (input) => grids.create(input),
      getSettings: async () => store.settings.get(),
      updateSettings: async (patch) => {
        const { slurm: profile, ...rest } = patch;
        const settings = store.settings.update({
          ...rest,
          ...(profile ? { slurm: { ...store.settings.get().slurm, ...profile } } : {}),
        });
        // More local slots may start queued runs now.
        supervisor.refill();
        return settings;
      },
      getSlurmStatus: () => slurm.availability(),
      previewSlurmScript: async () => slurm.previewScript(),
      syncSlurmRuns: () => slurm.sync(),
      listGrids: async () => grids.list(),
      getGrid: async (id) => grids.get(id),
      onEvent: (listener) => this.on(listener),
    };
  }

  /** Resumes each run; one that cannot be resumed (no checkpoint, a moved dataset) gets a log line. */
  private async resumeAll(runs: RunService, ids: number[]): Promise<void> {
    for (const id of ids) {
      try {
        await runs.resume(id);
      } catch (e) {
        const line = {
          runId: id,
          time: Date.now() / 1000,
          level: 'warn' as const,
          message: `not resumed automatically: ${(e as Error).message}`,
        };
        this.store.addLogs([line]);
        this.events.emit({ event: 'log', line });
      }
    }
  }

  on(listener: EngineEventListener): () => void {
    return this.events.on(listener);
  }

  /** Resolves when the run reaches a terminal status. */
  waitForRun(id: number): Promise<Run> {
    return this.supervisor.waitForRun(id);
  }

  /** Resolves when the job has completed or failed. */
  waitForJob(id: number): Promise<Job> {
    return this.jobs.waitForJob(id);
  }

  /** Stops every worker (queued runs become interrupted), then closes the store. */
  async close(): Promise<void> {
    this.gridFineTunes?.close();
    await Promise.all([
      this.supervisor.close(),
      this.slurm.close(),
      this.jobs.close(),
      this.datasets.close(),
    ]);
    this.watcher?.stop();
    this.store.close();
    this.checkpoints.dispose();
    // An in-memory database's cache lives in a temporary folder of its own.
    if (this.checkpoints.temporary) fs.rmSync(this.datasetCacheDir, { recursive: true, force: true });
  }
}
