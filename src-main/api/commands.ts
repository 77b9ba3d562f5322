/**
 * The API between the engine and every client, declared once: each command's name, one-line doc,
 * argument schema (zod, positional) and result type. Everything else is derived from this table: the
 * ContrastLabApi type, the dispatcher that checks arguments (dispatch.ts), and the clients of every
 * transport (client.ts: the renderer over HTTP or Electron IPC, the CLI in process). Adding a command
 * is one entry here plus its implementation in the engine (engine/engine.ts).
 *
 * Arguments come from outside the process, so their shapes are checked here before the engine sees
 * them; the engine then checks their meaning (method, config ranges, dataset).
 */
import { z } from 'zod';
import {
  backendPreferences,
  datasetIds,
  executorIds,
  imageSizeRange,
  runGroupings,
  runViewLimits,
  type AugmentationPreview,
  type Checkpoint,
  type CheckpointFile,
  type DatasetDetails,
  type DatasetEntry,
  type DatasetInfo,
  type DatasetJob,
  type DatasetSamples,
  type DatasetSummary,
  type DeletedDatasetCache,
  type EmbeddingEpoch,
  type EmbeddingSnapshot,
  type Grid,
  type ImageTile,
  type Job,
  type LogLine,
  type MethodInfo,
  type MetricPoint,
  type RetrievalRanking,
  type RetrievalResult,
  type Run,
  type Settings,
  type SimilarityHistogram,
  type SlurmAvailability,
  type SlurmSyncResult,
} from '../domain';
import type { EngineEventListener } from './events';

/** A command of the table; `result` only carries the result's type. */
export interface CommandSpec<A extends z.ZodTuple = z.ZodTuple, R = unknown> {
  doc: string;
  /** The arguments' names, for error messages and docs, in order. */
  params: readonly string[];
  args: A;
  result?: R;
}

function command<R>(spec: { doc: string; params: readonly string[] }) {
  return <A extends z.ZodTuple>(args: A): CommandSpec<A, R> => ({ ...spec, args });
}

/**
 * An argument that may be left out. JSON has no `undefined`: an omitted argument in the middle of an
 * argument list arrives as null (JSON.stringify([1, undefined]) is "[1,null]"), so null means absent.
 */
const absent = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

const id = z.number().int().positive();
const ids = z.array(id);
const backendPreference = z.enum(backendPreferences);
const datasetSpec = z.strictObject({
  id: z.enum(datasetIds, {
    error: (issue) => `unknown dataset "${String(issue.input)}"; datasets: ${datasetIds.join(', ')}`,
  }),
  dataDir: absent(z.string()),
  trainSize: absent(z.number().int().positive()),
  testSize: absent(z.number().int().positive()),
  imageSize: absent(
    z
      .number()
      .int()
      .min(imageSizeRange.min, `imageSize must be at least ${imageSizeRange.min} pixels`)
      .max(imageSizeRange.max, `imageSize must be at most ${imageSizeRange.max} pixels`),
  ),
  coarseLabels: absent(z.boolean()),
  testFraction: absent(z.number().gt(0).lt(1)),
});
const config = z.record(z.string(), z.unknown());
const executor = z.enum(executorIds, {
  error: (issue) => `unknown executor "${String(issue.input)}"; executors: ${executorIds.join(', ')}`,
});
/** One line of a batch script's header: no line breaks. */
const oneLine = (what: string) =>
  z
    .string()
    .max(500)
    .regex(/^[^\r\n]*$/, `${what} must be one line`);
/** Slurm's time formats: minutes, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or UNLIMITED. */
const slurmTime = z
  .string()
  .regex(
    /^(\s*|\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+(:\d{1,2}(:\d{1,2})?)?|UNLIMITED|INFINITE)$/,
    "the time limit must be in Slurm's format: minutes, H:MM:SS or D-HH:MM (e.g. 90, 4:00:00, 2-00:00)",
  );
const slurmProfilePatch = z.strictObject({
  partition: absent(oneLine('the partition')),
  account: absent(oneLine('the account')),
  timeLimit: absent(slurmTime),
  cpusPerTask: absent(z.number().int().min(1, 'CPUs per task must be at least 1').max(1024)),
  memory: absent(
    z
      .string()
      .regex(/^(\s*|\d+[KMGT]?)$/, 'memory must be a number with an optional unit K, M, G or T (e.g. 16G)'),
  ),
  gres: absent(oneLine('the generic resources (gres)')),
  extraDirectives: absent(z.array(oneLine('an extra #SBATCH line')).max(50)),
  sharedDir: absent(oneLine('the shared folder')),
  launchCommand: absent(oneLine('the launch command')),
});
const createRunInput = z.strictObject({
  method: z.string().min(1),
  dataset: datasetSpec,
  config,
  name: absent(z.string()),
  tags: absent(z.array(z.string())),
  backend: absent(backendPreference),
  executor: absent(executor),
  slurm: absent(slurmProfilePatch),
});
const runPatch = z.strictObject({
  name: absent(z.string()),
  tags: absent(z.array(z.string())),
  notes: absent(z.string()),
});
const resumeRunInput = z.strictObject({
  checkpointId: absent(id),
  moreEpochs: absent(z.number().int().min(1).max(10_000)),
  slurm: absent(slurmProfilePatch),
});
const runViewText = (max: number) => z.string().trim().min(1).max(max);
const savedRunView = z.strictObject({
  name: runViewText(runViewLimits.name),
  columns: z.array(runViewText(runViewLimits.filter)).max(runViewLimits.columns),
  filters: z.array(runViewText(runViewLimits.filter)).max(runViewLimits.filters),
  sort: z.strictObject({ column: runViewText(runViewLimits.filter), descending: z.boolean() }),
  groupBy: z.enum(runGroupings),
  groupSeeds: z.boolean(),
});
const settingsPatch = z.strictObject({
  autoResumeInterrupted: absent(z.boolean()),
  keepCheckpoints: absent(z.number().int().min(0).max(1000)),
  maxConcurrentRuns: absent(
    z
      .number()
      .int()
      .min(1, 'local runs at once must be at least 1')
      .max(16, 'local runs at once must be at most 16'),
  ),
  slurm: absent(slurmProfilePatch),
  runViews: absent(
    z
      .array(savedRunView)
      .max(runViewLimits.views, `at most ${runViewLimits.views} saved views`)
      .refine(
        (views) => new Set(views.map((v) => v.name)).size === views.length,
        'two saved views share a name',
      ),
  ),
});
const imageRef = z.strictObject({ split: z.enum(['train', 'test']), index: z.number().int().min(0) });
const previewInput = z.strictObject({
  method: z.string().min(1),
  dataset: datasetSpec,
  config,
  count: absent(z.number().int().min(1).max(16)),
  seed: absent(z.number().int().min(0)),
});
const gridAxis = z.strictObject({
  field: z.string().min(1),
  values: z
    .array(z.union([z.number(), z.string(), z.boolean()]))
    .min(1)
    .max(8),
});
const createGridInput = z.strictObject({
  method: z.string().min(1),
  dataset: datasetSpec,
  config,
  rows: gridAxis,
  cols: absent(gridAxis),
  seeds: absent(
    z.number().int().min(1, 'seeds per cell must be at least 1').max(10, 'seeds per cell must be at most 10'),
  ),
  metric: absent(z.string().min(1)),
  fineTuneEpochs: absent(z.number().int().min(1).max(1000)),
  name: absent(z.string()),
  backend: absent(backendPreference),
  executor: absent(executor),
  slurm: absent(slurmProfilePatch),
});
const neighbours = z.number().int().min(1).max(100);
const addDatasetInput = z.strictObject({ spec: datasetSpec, name: absent(z.string().max(200)) });
const describeDatasetInput = z.strictObject({ spec: datasetSpec, refresh: absent(z.boolean()) });
const checkDatasetInput = z.strictObject({ spec: datasetSpec, method: absent(z.string().min(1)) });
const datasetSamplesInput = z.strictObject({
  spec: datasetSpec,
  perClass: absent(z.number().int().min(1).max(32)),
});
const buildDatasetCacheInput = z.strictObject({ spec: datasetSpec, rebuild: absent(z.boolean()) });
const deleteDatasetCacheInput = z.strictObject({
  spec: datasetSpec,
  file: absent(z.string().min(1)),
  imageSize: absent(z.number().int().positive()),
});

/**
 * What `exportCsv` can write: runs (one row per run), their metric points, their similarity histograms,
 * or the aggregate of runs that differ only in their seed (one row per configuration: mean, std and n
 * of each final metric).
 */
export const csvExports = ['runs', 'metrics', 'histograms', 'aggregate'] as const;
export type CsvExport = (typeof csvExports)[number];

export const apiCommands = {
  // Methods and datasets.
  listMethods: command<MethodInfo[]>({
    doc: 'Every method with its paper and the JSON Schema of its config.',
    params: [],
  })(z.tuple([])),
  listDatasets: command<DatasetInfo[]>({ doc: 'Every dataset the engine can load.', params: [] })(
    z.tuple([]),
  ),

  // The Datasets view: the datasets added or used, what each holds, its cache files.
  listDatasetEntries: command<DatasetEntry[]>({
    doc: 'Every dataset the user added or runs used (and the built-in ones), each with its summary or a one-line error.',
    params: [],
  })(z.tuple([])),
  addDataset: command<DatasetEntry>({
    doc: 'Adds a dataset (a source and its folder) to the list once it reads; a bad folder is one line and nothing is written.',
    params: ['input'],
  })(z.tuple([addDatasetInput])),
  removeDataset: command<void>({
    doc: 'Forgets an added dataset; its folder and cache files stay.',
    params: ['input'],
  })(z.tuple([z.strictObject({ entryId: id })])),
  checkDataset: command<DatasetSummary>({
    doc: 'Checks a dataset from its headers, as creating a run does (labels too, when a method that needs them is named): what it holds, or one line saying what is wrong. Reads no image and records nothing.',
    params: ['input'],
  })(z.tuple([checkDatasetInput])),
  describeDataset: command<DatasetDetails>({
    doc: "A dataset's splits with their images per class, classes, image size, skipped files and cache files.",
    params: ['input'],
  })(z.tuple([describeDatasetInput])),
  datasetSamples: command<DatasetSamples>({
    doc: 'Up to perClass thumbnails of each class of a dataset, the same ones every time.',
    params: ['input'],
  })(z.tuple([datasetSamplesInput])),
  deleteDatasetCache: command<DeletedDatasetCache>({
    doc: "Deletes a dataset's cache files (one file or one image size, when named); refused while a run reads the dataset.",
    params: ['input'],
  })(z.tuple([deleteDatasetCacheInput])),
  buildDatasetCache: command<DatasetJob>({
    doc: "Builds a dataset's cache at its image size in a background worker (rebuild: deletes the cache at that size first).",
    params: ['input'],
  })(z.tuple([buildDatasetCacheInput])),
  listDatasetJobs: command<DatasetJob[]>({
    doc: 'The dataset jobs (cache builds, reads) of this engine, newest first, with their progress.',
    params: [],
  })(z.tuple([])),

  // Runs.
  listRuns: command<Run[]>({
    doc: 'Every run with the last value of each metric, oldest first.',
    params: [],
  })(z.tuple([])),
  getRun: command<Run>({ doc: 'One run.', params: ['id'] })(z.tuple([id])),
  createRun: command<Run>({
    doc: 'Validates a run (method, config, dataset), records it as queued and starts it when a worker is free.',
    params: ['input'],
  })(z.tuple([createRunInput])),
  stopRun: command<void>({
    doc: "Stops a run after its current step, or at once with force (a queued run never starts); it is recorded as 'stopped'.",
    params: ['id', 'force'],
  })(z.tuple([id, absent(z.boolean())])),
  updateRun: command<Run>({ doc: "Changes a run's name, tags or notes.", params: ['id', 'patch'] })(
    z.tuple([id, runPatch]),
  ),
  resumeRun: command<Run>({
    doc: "Resumes a stopped, interrupted or failed run from its latest (or the given) checkpoint, exactly where that checkpoint left it; with moreEpochs, continues a completed run. What was recorded after the checkpoint's step is replaced.",
    params: ['id', 'options'],
  })(z.tuple([id, absent(resumeRunInput)])),
  deleteRun: command<void>({
    doc: 'Deletes a finished run with its metric points, logs and checkpoints.',
    params: ['id'],
  })(z.tuple([id])),
  getMetrics: command<MetricPoint[]>({
    doc: 'Metric points of the runs (of the given keys only, when named), by run, key and step.',
    params: ['runIds', 'keys'],
  })(z.tuple([ids, absent(z.array(z.string()))])),
  getLogs: command<LogLine[]>({ doc: "A run's log lines, oldest first.", params: ['runId'] })(z.tuple([id])),
  exportCsv: command<string>({
    doc: 'CSV of the runs (one row per run), their metric points, or their similarity histograms (one row per run, epoch and bin); all runs when none are named.',
    params: ['what', 'runIds'],
  })(z.tuple([z.enum(csvExports), absent(ids)])),

  // Evaluation views. An omitted epoch means the latest one.
  getHistograms: command<SimilarityHistogram[]>({
    doc: 'Similarity histograms of a run, one per evaluated epoch, oldest first.',
    params: ['runId'],
  })(z.tuple([id])),
  listEmbeddings: command<EmbeddingEpoch[]>({
    doc: 'The epochs with a stored test embedding.',
    params: ['runId'],
  })(z.tuple([id])),
  getEmbedding: command<EmbeddingSnapshot>({
    doc: 'The test embedding at an epoch, with its first two principal components.',
    params: ['runId', 'epoch'],
  })(z.tuple([id, absent(z.number().min(0))])),
  getRetrieval: command<RetrievalResult>({
    doc: "A test image's k nearest training images (needs the training embedding, kept for the latest epoch).",
    params: ['runId', 'queryIndex', 'k'],
  })(z.tuple([id, z.number().int().min(0), absent(neighbours)])),
  getWorstQueries: command<RetrievalRanking>({
    doc: 'The `count` test queries with the lowest precision@k.',
    params: ['runId', 'k', 'count'],
  })(z.tuple([id, absent(neighbours), absent(z.number().int().min(1).max(100))])),
  getImages: command<ImageTile[]>({
    doc: "Pixels of images of a run's dataset, for thumbnails (at most 256 per call).",
    params: ['runId', 'refs'],
  })(z.tuple([id, z.array(imageRef).max(256)])),
  previewAugmentations: command<AugmentationPreview>({
    doc: "Views drawn with a method's augmentation settings, for the form's preview.",
    params: ['input'],
  })(z.tuple([previewInput])),

  // Checkpoints and background jobs.
  listCheckpoints: command<Checkpoint[]>({
    doc: "A run's checkpoints, oldest step first.",
    params: ['runId'],
  })(z.tuple([id])),
  getCheckpointFile: command<CheckpointFile>({
    doc: "Where a checkpoint's file is on the engine's machine, its size and a name to save it under: what a download streams (browser mode) or copies (the desktop app).",
    params: ['checkpointId'],
  })(z.tuple([id])),
  startLinearProbe: command<Job>({
    doc: "Starts a linear probe on a checkpoint (default: a finished run's latest) as a background job, with the optimiser 'adam' or 'sgd' (default: the run's probeOptimizer).",
    params: ['runId', 'checkpointId', 'optimizer'],
  })(
    z.tuple([
      id,
      absent(id),
      absent(z.enum(['adam', 'sgd'], { error: "the probe's optimizer must be adam or sgd" })),
    ]),
  ),
  startFineTune: command<Job>({
    doc: "Starts a fine-tune of a checkpoint (default: a finished run's latest) on a class-balanced share of the labels as a background job; answers once its input holds up.",
    params: ['runId', 'input'],
  })(
    z.tuple([
      id,
      z.strictObject({
        labelPercent: z
          .number()
          .gt(0, 'the share of the labels must be above 0%')
          .max(100, 'the share of the labels must be at most 100%'),
        checkpointId: absent(id),
        epochs: absent(z.number().int().min(1).max(1000)),
      }),
    ]),
  ),
  startTransfer: command<Job>({
    doc: "Starts a transfer of a checkpoint (default: a finished run's latest) to another labelled dataset as a background job: its frozen features judged there by kNN and a linear probe, at the run's input size; answers once its input holds up.",
    params: ['runId', 'input'],
  })(z.tuple([id, z.strictObject({ dataset: datasetSpec, checkpointId: absent(id) })])),
  startDistillation: command<Job>({
    doc: "Starts a distillation of a completed fine-tune job of the run (the teacher) into a fresh student trained on the run's training images against the teacher's softened predictions (SimCLR v2), as a background job; answers once its input holds up.",
    params: ['runId', 'input'],
  })(
    z.tuple([
      id,
      z.strictObject({
        fineTuneJobId: id,
        temperature: absent(z.number()),
        labelWeight: absent(z.number()),
        studentWidth: absent(z.number()),
        epochs: absent(z.number()),
      }),
    ]),
  ),
  listJobs: command<Job[]>({ doc: 'Background jobs (of one run, when named).', params: ['runId'] })(
    z.tuple([absent(id)]),
  ),

  // Grids of runs (heatmaps).
  createGrid: command<Grid>({
    doc: 'Validates every cell, then records rows × cols × seeds runs and starts them: queued locally a few at a time, or one Slurm array job.',
    params: ['input'],
  })(z.tuple([createGridInput])),

  // Slurm.
  getSlurmStatus: command<SlurmAvailability>({
    doc: 'Whether this machine can submit to a Slurm cluster (sinfo answers), and its partitions.',
    params: [],
  })(z.tuple([])),
  previewSlurmScript: command<string>({
    doc: 'The batch script a one-run Slurm submission gets with the saved cluster profile.',
    params: [],
  })(z.tuple([])),
  syncSlurmRuns: command<SlurmSyncResult>({
    doc: "Reads every Slurm run's new reports into the database and applies Slurm's job states; reading again records nothing twice.",
    params: [],
  })(z.tuple([])),
  // Settings.
  getSettings: command<Settings>({ doc: "The workbench's settings.", params: [] })(z.tuple([])),
  updateSettings: command<Settings>({
    doc: 'Changes some settings; returns all of them.',
    params: ['patch'],
  })(z.tuple([settingsPatch])),

  listGrids: command<Grid[]>({ doc: 'Every grid.', params: [] })(z.tuple([])),
  getGrid: command<Grid>({ doc: 'One grid with its runs.', params: ['id'] })(z.tuple([id])),
} satisfies Record<string, CommandSpec>;

export type ApiCommand = keyof typeof apiCommands;
export const apiCommandNames = Object.keys(apiCommands) as ApiCommand[];

export function isApiCommand(name: string): name is ApiCommand {
  return Object.hasOwn(apiCommands, name);
}

/** The arguments of a command, as its implementation receives them (checked, nulls turned absent). */
export type ApiArgs<C extends ApiCommand> = z.output<(typeof apiCommands)[C]['args']>;
export type ApiResult<C extends ApiCommand> =
  (typeof apiCommands)[C] extends CommandSpec<z.ZodTuple, infer R> ? R : never;

/** Every command of the table as an async method, plus the event subscription. */
export type ContrastLabApi = { [C in ApiCommand]: (...args: ApiArgs<C>) => Promise<ApiResult<C>> } & {
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: EngineEventListener): () => void;
};

/**
 * What the desktop app's preload exposes as `window.contrastlab`: the API plus native dialogs. In
 * browser mode there is no such object; the renderer picks folders through a typed path and saves files
 * as downloads.
 */
export interface DesktopApi extends ContrastLabApi {
  /** A folder picker; the chosen folder's absolute path, or null when cancelled. */
  pickDirectory(): Promise<string | null>;
  /**
   * A save dialog proposing `name`; writes `content` there (text as UTF-8, or bytes). The path written,
   * or null when cancelled.
   */
  saveFile(name: string, content: string | Uint8Array): Promise<string | null>;
  /** A save dialog for a checkpoint's file (getCheckpointFile), then a copy there. The path, or null when cancelled. */
  saveCheckpoint(checkpointId: number): Promise<string | null>;
}
