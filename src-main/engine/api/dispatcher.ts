/**
 * The engine side of the API contract: ContrastLabApi implemented over an Engine, and the router every
 * transport (Electron IPC, HTTP) uses to turn a command name and JSON arguments into a method call.
 * Arguments come from outside the process, so their shapes are checked here (zod) before the engine
 * sees them; the engine then checks meaning (method, config ranges, dataset).
 */
import { z } from 'zod';
import type { Engine } from '../engine';
import { listDatasets } from '../data';
import { DatasetError } from '../data/dataset';
import { ConfigError } from '../methods';
import { StoreError } from '../store/store';
import { apiCommands, type ApiCommand, type ContrastLabApi } from './contract';
import type { AugmentationPreviewInput, CreateGridInput, CreateRunInput, ImageRef } from './types';

/** ContrastLabApi over an engine in this process. */
export function createApi(engine: Engine): ContrastLabApi {
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

/** A request the dispatcher refuses, with the HTTP status that describes it best. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: 400 | 404 | 500,
  ) {
    super(message);
  }
}

// JSON has no `undefined`: an omitted optional argument arrives as null (JSON.stringify([1, undefined])).
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const runId = z.number().int().positive();
const runIds = z.array(runId);
const datasetSpec = z.strictObject({
  // The engine names unknown datasets itself, with the list of known ones.
  id: z.string().min(1),
  dataDir: optional(z.string()),
  trainSize: optional(z.number().int().positive()),
  testSize: optional(z.number().int().positive()),
});
const createRunInput = z.strictObject({
  method: z.string().min(1),
  dataset: datasetSpec,
  config: z.record(z.string(), z.unknown()),
  name: optional(z.string()),
  tags: optional(z.array(z.string())),
  backend: optional(z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'])),
});
const backendPreference = z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
const epoch = z.number().min(0);
const imageRef = z.strictObject({ split: z.enum(['train', 'test']), index: z.number().int().min(0) });
const previewInput = z.strictObject({
  method: z.string().min(1),
  dataset: datasetSpec,
  config: z.record(z.string(), z.unknown()),
  count: optional(z.number().int().min(1).max(16)),
  seed: optional(z.number().int().min(0)),
});
const gridValue = z.union([z.number(), z.string(), z.boolean()]);
const gridAxis = z.strictObject({
  field: z.string().min(1),
  values: z.array(gridValue).min(1).max(8),
});
const createGridInput = z.strictObject({
  method: z.string().min(1),
  dataset: datasetSpec,
  config: z.record(z.string(), z.unknown()),
  rows: gridAxis,
  cols: gridAxis,
  metric: optional(z.string().min(1)),
  name: optional(z.string()),
  backend: optional(backendPreference),
});
const runPatch = z.strictObject({
  name: optional(z.string()),
  tags: optional(z.array(z.string())),
  notes: optional(z.string()),
});

/** The argument list of every command, as a tuple; names are for error messages. */
const commandArgs = {
  listMethods: { names: [], schema: z.tuple([]) },
  listDatasets: { names: [], schema: z.tuple([]) },
  listRuns: { names: [], schema: z.tuple([]) },
  getRun: { names: ['id'], schema: z.tuple([runId]) },
  createRun: { names: ['input'], schema: z.tuple([createRunInput]) },
  stopRun: { names: ['id'], schema: z.tuple([runId]) },
  updateRun: { names: ['id', 'patch'], schema: z.tuple([runId, runPatch]) },
  deleteRun: { names: ['id'], schema: z.tuple([runId]) },
  getMetrics: { names: ['runIds', 'keys'], schema: z.tuple([runIds, optional(z.array(z.string()))]) },
  getLogs: { names: ['runId'], schema: z.tuple([runId]) },
  exportCsv: {
    names: ['what', 'runIds'],
    schema: z.tuple([z.enum(['runs', 'metrics', 'histograms']), optional(runIds)]),
  },
  getHistograms: { names: ['runId'], schema: z.tuple([runId]) },
  listEmbeddings: { names: ['runId'], schema: z.tuple([runId]) },
  getEmbedding: { names: ['runId', 'epoch'], schema: z.tuple([runId, optional(epoch)]) },
  getRetrieval: {
    names: ['runId', 'queryIndex', 'k'],
    schema: z.tuple([runId, z.number().int().min(0), optional(z.number().int().min(1).max(100))]),
  },
  getWorstQueries: {
    names: ['runId', 'k', 'count'],
    schema: z.tuple([
      runId,
      optional(z.number().int().min(1).max(100)),
      optional(z.number().int().min(1).max(100)),
    ]),
  },
  getImages: { names: ['runId', 'refs'], schema: z.tuple([runId, z.array(imageRef).max(256)]) },
  previewAugmentations: { names: ['input'], schema: z.tuple([previewInput]) },
  listCheckpoints: { names: ['runId'], schema: z.tuple([runId]) },
  startLinearProbe: { names: ['runId', 'checkpointId'], schema: z.tuple([runId, optional(runId)]) },
  listJobs: { names: ['runId'], schema: z.tuple([optional(runId)]) },
  createGrid: { names: ['input'], schema: z.tuple([createGridInput]) },
  listGrids: { names: [], schema: z.tuple([]) },
  getGrid: { names: ['id'], schema: z.tuple([runId]) },
} satisfies Record<ApiCommand, { names: string[]; schema: z.ZodType<unknown[]> }>;

export function isApiCommand(command: string): command is ApiCommand {
  return (apiCommands as readonly string[]).includes(command);
}

function describeIssue(command: ApiCommand, names: string[], issue: z.core.$ZodIssue): string {
  const [index, ...rest] = issue.path;
  if (index === undefined) {
    return `${command} takes ${names.length ? names.join(', ') : 'no arguments'}: ${issue.message}`;
  }
  const name = typeof index === 'number' ? (names[index] ?? `argument ${index + 1}`) : String(index);
  const where = [name, ...rest.map(String)].join('.');
  if (issue.code === 'unrecognized_keys')
    return `${command}: unknown field(s) ${issue.keys.join(', ')} in ${where}`;
  return `${command}: invalid ${where}: ${issue.message}`;
}

/**
 * Routes a command name to its method. Unknown commands are ApiError 404, malformed arguments
 * ApiError 400; errors from the engine propagate unchanged (see `toReply`).
 */
export async function dispatch(api: ContrastLabApi, command: string, args: unknown[]): Promise<unknown> {
  if (!isApiCommand(command)) {
    throw new ApiError(`unknown command "${command}"; commands: ${apiCommands.join(', ')}`, 404);
  }
  if (!Array.isArray(args)) throw new ApiError(`${command}: the arguments must be a JSON array`, 400);
  const { names, schema } = commandArgs[command];
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new ApiError(describeIssue(command, names, parsed.error.issues[0]!), 400);
  const a = parsed.data as unknown[];
  switch (command) {
    case 'listMethods':
      return api.listMethods();
    case 'listDatasets':
      return api.listDatasets();
    case 'listRuns':
      return api.listRuns();
    case 'getRun':
      return api.getRun(a[0] as number);
    case 'createRun':
      return api.createRun(a[0] as CreateRunInput);
    case 'stopRun':
      return api.stopRun(a[0] as number);
    case 'updateRun':
      return api.updateRun(a[0] as number, a[1] as z.infer<typeof runPatch>);
    case 'deleteRun':
      return api.deleteRun(a[0] as number);
    case 'getMetrics':
      return api.getMetrics(a[0] as number[], a[1] as string[] | undefined);
    case 'getLogs':
      return api.getLogs(a[0] as number);
    case 'exportCsv':
      return api.exportCsv(a[0] as 'runs' | 'metrics' | 'histograms', a[1] as number[] | undefined);
    case 'getHistograms':
      return api.getHistograms(a[0] as number);
    case 'listEmbeddings':
      return api.listEmbeddings(a[0] as number);
    case 'getEmbedding':
      return api.getEmbedding(a[0] as number, a[1] as number | undefined);
    case 'getRetrieval':
      return api.getRetrieval(a[0] as number, a[1] as number, a[2] as number | undefined);
    case 'getWorstQueries':
      return api.getWorstQueries(a[0] as number, a[1] as number | undefined, a[2] as number | undefined);
    case 'getImages':
      return api.getImages(a[0] as number, a[1] as ImageRef[]);
    case 'previewAugmentations':
      return api.previewAugmentations(a[0] as AugmentationPreviewInput);
    case 'listCheckpoints':
      return api.listCheckpoints(a[0] as number);
    case 'startLinearProbe':
      return api.startLinearProbe(a[0] as number, a[1] as number | undefined);
    case 'listJobs':
      return api.listJobs(a[0] as number | undefined);
    case 'createGrid':
      return api.createGrid(a[0] as CreateGridInput);
    case 'listGrids':
      return api.listGrids();
    case 'getGrid':
      return api.getGrid(a[0] as number);
  }
}

/** What a transport sends back for one command: plain JSON either way. */
export type ApiReply = { result: unknown } | { error: string; status: 400 | 404 | 500 };

/** The user's input was wrong (400) rather than the program (500). */
export function isUserError(e: unknown): boolean {
  return e instanceof ConfigError || e instanceof DatasetError || e instanceof StoreError;
}

/** An error as the client sees it: its message, and a status saying whose fault it was. */
export function toErrorReply(e: unknown): { error: string; status: 400 | 404 | 500 } {
  if (e instanceof ApiError) return { error: e.message, status: e.status };
  const message = e instanceof Error ? e.message : String(e);
  return { error: message || 'internal error', status: isUserError(e) ? 400 : 500 };
}

/** dispatch() for transports: never throws; engine errors become `{ error }` with their message. */
export async function invoke(api: ContrastLabApi, command: string, args: unknown[]): Promise<ApiReply> {
  try {
    return { result: await dispatch(api, command, args) };
  } catch (e) {
    const reply = toErrorReply(e);
    if (reply.status === 500) console.error(`contrastlab: ${command} failed:`, e);
    return reply;
  }
}
