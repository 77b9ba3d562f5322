import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {
  AddDatasetInput,
  DatasetCacheFile,
  DatasetDetails,
  DatasetEntry,
  DatasetInfo,
  DatasetJob,
  DatasetJobKind,
  DatasetSamples,
  DatasetSpec,
  DatasetSummary,
  DeletedDatasetCache,
  SkippedDatasetFile,
} from '../../domain';
import { ConfigError, DatasetError, InputError } from '../../domain';
import { inspectDataset, listDatasets } from '../data';
import { readImageCacheHeader } from '../data/image-cache';
import type { DatasetInspection, DatasetTaskMessage, DatasetWorkerMessage } from '../runner/dataset-protocol';
import type { Store } from '../store/store';
import { spawnFailure, workerEntry, workerEnv } from './worker-process';

/** Sample images per class read with a dataset's details, and the most one request may ask for. */
export const samplesPerClass = { default: 10, max: 32 };
/** Dataset jobs remembered for listDatasetJobs (the running ones are always kept). */
const KEPT_JOBS = 50;
/** Datasets whose details stay in memory (their thumbnails included). */
const KEPT_INSPECTIONS = 6;
/** The last characters a dying worker wrote on stderr, for the job's error. */
const STDERR_TAIL = 2000;

/** The source's folder, as every path to it compares: absolute, links resolved where it exists. */
function canonicalFolder(dir: string): string {
  const resolved = path.resolve(dir);
  try {
    return fs.realpathSync.native(resolved);
  } catch {
    return resolved;
  }
}

/** What tells datasets apart (DatasetEntry.key): the source and its folder. */
export function datasetKey(spec: Pick<DatasetSpec, 'id' | 'dataDir'>): string {
  return spec.dataDir ? `${spec.id}:${canonicalFolder(spec.dataDir)}` : spec.id;
}

/** A spec without what only chooses a subset of it (runs on any subset use the same dataset). */
function datasetOnly(spec: DatasetSpec): DatasetSpec {
  const { trainSize: _train, testSize: _test, ...rest } = spec;
  return rest.dataDir ? { ...rest, dataDir: path.resolve(rest.dataDir) } : rest;
}

/** What a cache header says, trimmed to what the Datasets view needs (image-folder headers list every file). */
interface CacheSummary {
  file: string;
  bytes: number;
  mtimeMs: number;
  id: string;
  dataDir: string | null;
  variant: string | null;
  imageSize: number;
  channels: number;
  images: number;
  builtAt: number;
  skipped: SkippedDatasetFile[] | null;
}

function skippedOf(meta: unknown): SkippedDatasetFile[] | null {
  const skipped = (meta as { skipped?: unknown } | null | undefined)?.skipped;
  if (!Array.isArray(skipped)) return null;
  return skipped
    .filter((s): s is { path: string; reason: string } => {
      const r = s as { path?: unknown; reason?: unknown } | null;
      return typeof r?.path === 'string' && typeof r.reason === 'string';
    })
    .map((s) => ({ path: s.path, reason: s.reason }));
}

/**
 * The Datasets view's service: the datasets the user added or trained on, what each holds, its cache
 * files in the dataset cache folder (found by reading their headers), and the work on them. Reading a
 * dataset's images (class counts, samples) and building its cache run in a worker process of their own
 * (runner/dataset-worker.ts), one task per dataset at a time, so the host never decodes images or holds
 * a large dataset; what a worker read is kept for the next request.
 */
export class DatasetService {
  private readonly jobs = new Map<number, DatasetJob>();
  private nextJobId = 1;
  private readonly children = new Map<number, ChildProcess>();
  /** Per dataset key, the end of its last task: the next one starts after it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** What workers read, by the spec they read, most recently used last. */
  private readonly inspections = new Map<
    string,
    { key: string; perClass: number; inspection: DatasetInspection }
  >();
  /** Inspections under way, by the spec they read: a second request waits for the same worker. */
  private readonly pending = new Map<string, { perClass: number; done: Promise<DatasetInspection> }>();
  /** Parsed cache headers by file, valid while the file's size and modification time stay. */
  private readonly headers = new Map<string, CacheSummary | null>();
  private closed = false;

  constructor(
    private readonly store: Store,
    /** The dataset cache's folder (data/image-cache.ts), beside the database. */
    private readonly cacheDir: string,
  ) {}

  /** Every dataset the user added or runs used (and the built-in ones), each with what it holds or why it cannot be read. */
  async list(): Promise<DatasetEntry[]> {
    /** What the store says of an entry, before its folder and cache files are read. */
    type Gathered = Omit<DatasetEntry, 'summary' | 'error' | 'cacheFiles' | 'cacheBytes' | 'name'> & {
      name: string | null;
    };
    const byKey = new Map<string, Gathered>();
    const blank = (spec: DatasetSpec, builtIn: boolean): Gathered => ({
      key: datasetKey(spec),
      entryId: null,
      name: null,
      spec,
      addedAt: null,
      runCount: 0,
      activeRunCount: 0,
      lastUsedAt: null,
      builtIn,
    });
    for (const source of listDatasets().filter((s) => !s.needsDataDir)) {
      const spec: DatasetSpec = { id: source.id };
      byKey.set(datasetKey(spec), blank(spec, true));
    }
    for (const added of this.store.datasets.list()) {
      const entry = byKey.get(added.key) ?? blank(added.spec, false);
      byKey.set(added.key, {
        ...entry,
        entryId: added.id,
        name: added.name,
        spec: added.spec,
        addedAt: added.addedAt,
      });
    }
    // The latest use first: a dataset first seen here takes that run's spec.
    for (const use of this.store.datasets.usedByRuns()) {
      const key = datasetKey(use.spec);
      const entry = byKey.get(key) ?? blank(datasetOnly(use.spec), false);
      byKey.set(key, {
        ...entry,
        runCount: entry.runCount + use.runCount,
        activeRunCount: entry.activeRunCount + use.activeRunCount,
        lastUsedAt: entry.lastUsedAt && entry.lastUsedAt > use.lastUsedAt ? entry.lastUsedAt : use.lastUsedAt,
      });
    }
    const caches = this.scanCaches();
    const entries = await Promise.all(
      [...byKey.values()].map(async (entry): Promise<DatasetEntry> => {
        let summary: DatasetSummary | null = null;
        let error: string | null = null;
        try {
          summary = await inspectDataset(entry.spec);
        } catch (e) {
          error = oneLine(e);
        }
        const own = caches.filter((c) => matches(c, entry.spec));
        return {
          ...entry,
          name: entry.name ?? defaultName(entry.spec, summary),
          summary,
          error,
          cacheFiles: own.length,
          cacheBytes: own.reduce((n, c) => n + c.bytes, 0),
        };
      }),
    );
    const recency = (e: DatasetEntry) => [e.addedAt ?? '', e.lastUsedAt ?? ''].sort().at(-1)!;
    return entries.sort(
      (a, b) => Number(b.builtIn) - Number(a.builtIn) || recency(b).localeCompare(recency(a)),
    );
  }

  /** Adds a dataset to the list once it reads: a bad folder is one line, and nothing is written. */
  async add(input: AddDatasetInput): Promise<DatasetEntry> {
    const spec = datasetOnly(input.spec);
    const summary = await this.check(spec);
    const name = input.name?.trim() || defaultName(spec, summary);
    const stored = this.store.datasets.add({ key: datasetKey(spec), spec, name });
    const entry = (await this.list()).find((e) => e.key === stored.key);
    if (!entry) throw new Error(`the added dataset ${stored.key} is not in the list`);
    return entry;
  }

  /** Forgets an added dataset (its folder and cache files stay). */
  remove(entryId: number): void {
    if (!this.store.datasets.remove(entryId)) throw new ConfigError(`no added dataset with id ${entryId}`);
  }

  /**
   * What a dataset holds: splits with their images per class, classes, image size, skipped files and
   * cache files. Reading the labels takes a worker the first time (and a cache build where the dataset
   * is read through one); while the dataset's cache is being built the details say so instead.
   */
  async describe(spec: DatasetSpec, refresh = false): Promise<DatasetDetails> {
    const summary = await this.check(spec);
    const key = datasetKey(spec);
    const busy = this.busyJob(key);
    const read = this.inspectSpec(spec);
    if (refresh && !busy) this.forget(key);
    let inspection = this.remembered(read)?.inspection ?? null;
    if (!inspection && (!busy || busy.kind === 'inspect')) {
      inspection = await this.inspect(read, samplesPerClass.default);
    }
    const caches = this.scanCaches().filter((c) => matches(c, spec));
    const active = this.store.datasets.activeRuns().some((r) => datasetKey(r.spec) === key);
    const files: DatasetCacheFile[] = caches.map((c) => ({
      file: c.file,
      bytes: c.bytes,
      builtAt: new Date(c.builtAt * 1000).toISOString(),
      imageSize: c.imageSize,
      channels: c.channels,
      images: c.images,
      variant: c.variant,
      state: active ? 'in-use' : 'ready',
    }));
    const info = sourceInfo(spec);
    const details: DatasetDetails = {
      key,
      spec,
      summary,
      classNames: inspection?.classNames ?? [],
      splits: inspection?.splits ?? [
        { name: 'train', count: summary.trainCount, labelled: summary.labelled, classCounts: null },
        { name: 'test', count: summary.testCount, labelled: summary.evaluable, classCounts: null },
      ],
      height: inspection?.height ?? summary.height,
      width: inspection?.width ?? summary.width,
      channels: inspection?.channels ?? summary.channels,
      nativeSize: info.nativeSize ?? null,
      skipped: inspection?.skipped ?? [],
      notes: inspection?.notes ?? [],
      caches: files,
      job: inspection ? null : (this.busyJob(key) ?? null),
    };
    // The cache's own list of the files it skipped, where it has one, is exact (paths may hold ': ').
    const size = details.height;
    const fromCache = caches
      .filter((c) => c.imageSize === size && c.skipped)
      .sort((a, b) => b.builtAt - a.builtAt)[0];
    if (fromCache?.skipped) details.skipped = fromCache.skipped;
    return details;
  }

  /** Up to `perClass` images of each class, the same ones every time. */
  async samples(spec: DatasetSpec, perClass = samplesPerClass.default): Promise<DatasetSamples> {
    await this.check(spec);
    const n = Math.max(1, Math.min(perClass, samplesPerClass.max));
    const read = this.inspectSpec(spec);
    const known = this.remembered(read);
    const inspection =
      known && known.perClass >= n
        ? known.inspection
        : await this.inspect(read, Math.max(n, samplesPerClass.default));
    return {
      key: datasetKey(spec),
      split: inspection.sampleSplit,
      classes: inspection.samples.map((c) => ({ ...c, tiles: c.tiles.slice(0, n) })),
    };
  }

  /**
   * Builds the dataset's cache at the spec's image size in a worker (with `rebuild`, after deleting its
   * caches at that size); while one is building, the same job.
   */
  async buildCache(spec: DatasetSpec, rebuild = false): Promise<DatasetJob> {
    const summary = await this.check(spec);
    const key = datasetKey(spec);
    const building = [...this.jobs.values()].find(
      (j) => j.key === key && j.kind === 'build-cache' && (j.status === 'queued' || j.status === 'running'),
    );
    if (building && !rebuild) return building;
    if (rebuild) await this.deleteCache(spec, { imageSize: summary.height });
    this.forget(key);
    const { job, done } = this.start('build-cache', spec, 0, summary.height);
    void done.catch(() => undefined);
    return job;
  }

  /**
   * Deletes the dataset's cache files (those of one file or image size, when named); refused while a
   * run that reads the dataset is queued or running, or a job works on it.
   */
  async deleteCache(
    spec: DatasetSpec,
    only: { file?: string; imageSize?: number } = {},
  ): Promise<DeletedDatasetCache> {
    await this.check(spec);
    const key = datasetKey(spec);
    const runs = this.store.datasets.activeRuns().filter((r) => datasetKey(r.spec) === key);
    const name = sourceInfo(spec).name;
    if (runs.length > 0) {
      const which = runs.map((r) => `#${r.id} (${r.status})`).join(', ');
      throw new InputError(
        `the cache of ${name} is in use by run ${which}: delete it once ${runs.length > 1 ? 'they have' : 'it has'} finished`,
      );
    }
    const busy = this.busyJob(key);
    if (busy) {
      throw new InputError(
        `the cache of ${name} is being ${busy.kind === 'build-cache' ? 'built' : 'read'}: delete it once that has finished`,
      );
    }
    let caches = this.scanCaches().filter((c) => matches(c, spec));
    if (only.file !== undefined) {
      const file = path.resolve(only.file);
      caches = caches.filter((c) => c.file === file);
      if (caches.length === 0) throw new ConfigError(`${file} is not a cache file of ${name}`);
    }
    if (only.imageSize !== undefined) caches = caches.filter((c) => c.imageSize === only.imageSize);
    let bytes = 0;
    for (const c of caches) {
      fs.rmSync(c.file, { force: true });
      this.headers.delete(c.file);
      bytes += c.bytes;
    }
    // What was read of the dataset stays true without its cache: reading it again would rebuild it.
    return { files: caches.length, bytes };
  }

  /** The dataset jobs of this engine, newest first. */
  listJobs(): DatasetJob[] {
    return [...this.jobs.values()].sort((a, b) => b.id - a.id);
  }

  /** Ends every dataset worker (their jobs fail) and waits for them to exit. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  }

  /** The dataset's summary from its headers; an unknown source or a missing folder is one line. */
  private async check(spec: DatasetSpec): Promise<DatasetSummary> {
    const info = sourceInfo(spec);
    if (info.needsDataDir && !spec.dataDir?.trim()) {
      throw new DatasetError(`${info.name} needs its folder (dataDir)`);
    }
    return inspectDataset(spec);
  }

  /**
   * The spec a worker reads for the details: at the run's image size where a cache at that size is
   * there (or the source has no size of its own), else at the dataset's own size, so that looking at a
   * dataset never resizes all of it. Subsets are kept: the counts are those of the spec.
   */
  private inspectSpec(spec: DatasetSpec): DatasetSpec {
    const { nativeSize } = sourceInfo(spec);
    if (spec.imageSize === undefined || nativeSize === undefined || spec.imageSize === nativeSize)
      return spec;
    const cached = this.scanCaches().some((c) => matches(c, spec) && c.imageSize === spec.imageSize);
    if (cached) return spec;
    const { imageSize: _size, ...native } = spec;
    return native;
  }

  private remembered(spec: DatasetSpec) {
    const id = JSON.stringify(spec);
    const known = this.inspections.get(id);
    if (known) {
      this.inspections.delete(id);
      this.inspections.set(id, known);
    }
    return known;
  }

  /** Forgets what was read of a dataset (its cache changed). */
  private forget(key: string): void {
    for (const [id, known] of this.inspections) if (known.key === key) this.inspections.delete(id);
  }

  private inspect(spec: DatasetSpec, perClass: number): Promise<DatasetInspection> {
    const id = JSON.stringify(spec);
    const pending = this.pending.get(id);
    if (pending && pending.perClass >= perClass) return pending.done;
    const done = this.start('inspect', spec, perClass).done.then((inspection) => {
      if (!inspection) throw new Error('the dataset worker reported no inspection');
      this.inspections.delete(id);
      this.inspections.set(id, { key: datasetKey(spec), perClass, inspection });
      while (this.inspections.size > KEPT_INSPECTIONS) {
        this.inspections.delete(this.inspections.keys().next().value!);
      }
      return inspection;
    });
    this.pending.set(id, { perClass, done });
    const clear = () => {
      if (this.pending.get(id)?.done === done) this.pending.delete(id);
    };
    done.then(clear, clear);
    return done;
  }

  /** The dataset's job that has not ended, if any. */
  private busyJob(key: string): DatasetJob | undefined {
    return [...this.jobs.values()].find(
      (j) => j.key === key && (j.status === 'queued' || j.status === 'running'),
    );
  }

  /** Records a job and runs it in a worker once the dataset's previous task has ended. */
  private start(
    kind: DatasetJobKind,
    spec: DatasetSpec,
    perClass: number,
    /** A build's image size, to say what it built. */
    imageSize?: number,
  ): { job: DatasetJob; done: Promise<DatasetInspection | null> } {
    if (this.closed) throw new Error('the engine is closing');
    const key = datasetKey(spec);
    const job: DatasetJob = {
      id: this.nextJobId++,
      kind,
      key,
      spec,
      status: 'queued',
      progress: 0,
      message: '',
      error: null,
      createdAt: new Date().toISOString(),
      endedAt: null,
    };
    this.jobs.set(job.id, job);
    this.trimJobs();
    const previous = this.queues.get(key) ?? Promise.resolve();
    const done = previous
      .catch(() => undefined)
      .then(() =>
        this.run(
          job,
          {
            type: 'start',
            task: kind === 'inspect' ? 'inspect' : 'build',
            spec,
            cacheDir: this.cacheDir,
            perClass,
          },
          imageSize,
        ),
      );
    const settled = done.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return { job, done };
  }

  private trimJobs(): void {
    const ended = [...this.jobs.values()].filter((j) => j.status === 'completed' || j.status === 'failed');
    for (const j of ended.slice(0, Math.max(0, this.jobs.size - KEPT_JOBS))) this.jobs.delete(j.id);
  }

  /** Forks the job's worker and resolves with what it read (null for a build); rejects with its error line. */
  private run(
    job: DatasetJob,
    start: DatasetTaskMessage,
    imageSize?: number,
  ): Promise<DatasetInspection | null> {
    return new Promise((resolve, reject) => {
      const end = (error: string | null, message?: string) => {
        job.status = error === null ? 'completed' : 'failed';
        job.error = error;
        if (error === null) job.progress = 1;
        if (message !== undefined) job.message = message;
        job.endedAt = new Date().toISOString();
        this.headers.clear();
      };
      if (this.closed) {
        end('the engine closed before the job started');
        return reject(new Error(job.error!));
      }
      const before = this.cacheVersions(job.spec);
      const entry = workerEntry('dataset-worker');
      let child: ChildProcess;
      try {
        child = fork(entry.file, [], {
          execArgv: entry.execArgv,
          env: workerEnv(),
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
      } catch (e) {
        end(`could not start the dataset worker: ${spawnFailure(e)}`);
        return reject(new InputError(job.error!));
      }
      this.children.set(job.id, child);
      job.status = 'running';
      job.message = 'starting';
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
      });
      let outcome: DatasetWorkerMessage | null = null;
      child.on('message', (m: DatasetWorkerMessage) => {
        if (m.type === 'progress') {
          job.progress = m.progress;
          job.message = m.message;
        } else {
          outcome = m;
        }
      });
      child.on('error', (e) => {
        if (child.pid !== undefined) return;
        this.children.delete(job.id);
        end(`could not start the dataset worker: ${spawnFailure(e)}`);
        reject(new InputError(job.error!));
      });
      child.on('exit', (code, signal) => {
        this.children.delete(job.id);
        const result = outcome as DatasetWorkerMessage | null;
        if (result?.type === 'finished') {
          end(null, job.kind === 'build-cache' ? this.builtMessage(job.spec, before, imageSize) : 'read');
          resolve(result.inspection);
        } else {
          const tail = stderr.trim().split('\n').at(-1);
          const error =
            result?.type === 'failed'
              ? result.error
              : `the dataset worker exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`;
          end(error);
          // A dataset that cannot be read is the user's to fix (one line, 400), as from the headers.
          reject(new DatasetError(error));
        }
      });
      if (child.connected) child.send(start);
    });
  }

  /** The dataset's cache files with their modification times, to tell what a build wrote. */
  private cacheVersions(spec: DatasetSpec): Set<string> {
    return new Set(
      this.scanCaches()
        .filter((c) => matches(c, spec))
        .map((c) => `${c.file} ${c.mtimeMs}`),
    );
  }

  private builtMessage(spec: DatasetSpec, before: Set<string>, imageSize: number | undefined): string {
    const after = this.scanCaches().filter(
      (c) => matches(c, spec) && (imageSize === undefined || c.imageSize === imageSize),
    );
    const built = after.filter((c) => !before.has(`${c.file} ${c.mtimeMs}`));
    if (built.length > 0) {
      return built
        .map((c) => `built ${path.basename(c.file)}: ${c.images} images at ${c.imageSize} px`)
        .join('; ');
    }
    if (after.length > 0) return 'the cache was already up to date';
    return 'no cache needed: the images are read straight from the dataset’s files at this size';
  }

  /** Every readable cache file of the cache folder (partial and foreign files left out). */
  private scanCaches(): CacheSummary[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.cacheDir);
    } catch {
      return [];
    }
    const out: CacheSummary[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      if (!name.endsWith('.images')) continue;
      const file = path.join(this.cacheDir, name);
      seen.add(file);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        continue;
      }
      let known = this.headers.get(file);
      if (known === undefined || (known && (known.bytes !== stat.size || known.mtimeMs !== stat.mtimeMs))) {
        known = summariseCache(file, stat);
        this.headers.set(file, known);
      }
      if (known) out.push(known);
    }
    for (const file of this.headers.keys()) if (!seen.has(file)) this.headers.delete(file);
    return out;
  }
}

function summariseCache(file: string, stat: fs.Stats): CacheSummary | null {
  const header = readImageCacheHeader(file);
  if (!header) return null;
  return {
    file,
    bytes: stat.size,
    mtimeMs: stat.mtimeMs,
    id: header.source.id,
    dataDir: header.source.dataDir ?? null,
    variant: header.source.variant ?? null,
    imageSize: header.height,
    channels: header.channels,
    images: header.splits.reduce((n, s) => n + s.count, 0),
    builtAt: header.builtAt,
    skipped: skippedOf(header.meta),
  };
}

/**
 * Whether a cache file holds this dataset: the same source and folder. A source may record the folder
 * that holds its files below the one given (CIFAR-10's cifar-10-batches-bin): a child folder counts,
 * except for image folders, where a subfolder is a dataset of its own.
 */
function matches(cache: CacheSummary, spec: DatasetSpec): boolean {
  if (cache.id !== spec.id) return false;
  if (!spec.dataDir || !cache.dataDir) return !spec.dataDir && !cache.dataDir;
  const want = canonicalFolder(spec.dataDir);
  const have = canonicalFolder(cache.dataDir);
  return have === want || (spec.id !== 'imagefolder' && path.dirname(have) === want);
}

function sourceInfo(spec: DatasetSpec): DatasetInfo {
  const info = listDatasets().find((d) => d.id === spec.id);
  if (!info) throw new DatasetError(`unknown dataset "${spec.id}"`);
  return info;
}

/** The source's name, with the folder's where that tells two folders of one source apart. */
function defaultName(spec: DatasetSpec, summary: DatasetSummary | null): string {
  // Never throws: a run of a dataset this engine no longer knows still lists, with its error.
  const name = summary?.name ?? listDatasets().find((d) => d.id === spec.id)?.name ?? spec.id;
  const folder = spec.dataDir ? path.basename(path.resolve(spec.dataDir)) : '';
  return folder && !name.includes(folder) ? `${name} (${folder})` : name;
}

function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0]!.trim() || 'cannot be read';
}
