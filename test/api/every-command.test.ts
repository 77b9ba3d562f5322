/**
 * Every command of the table (src-main/api/commands.ts) answers over every transport: in process (the
 * CLI's client), HTTP + WebSocket (browser mode) and the engine host channel (the desktop app's engine
 * process). Each transport's client is the same proxy over the table, so this also proves a command
 * added to the table reaches the engine without a change in any client.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandProxy, unwrapReply, type ApiCommands } from '../../src-main/api/client';
import {
  apiCommandNames,
  type ApiArgs,
  type ApiCommand,
  type ContrastLabApi,
} from '../../src-main/api/commands';
import { inProcessClient } from '../../src-main/api/in-process';
import type { Checkpoint, Run } from '../../src-main/domain';
import { Engine } from '../../src-main/engine/engine';
import { startServer, type RunningServer } from '../../src-main/transports/http/server';
import {
  connectEngineHost,
  type EngineHostClient,
  type FromHost,
} from '../../src-main/transports/ipc/host-channel';
import { repoRoot, tempDir } from '../helpers/cli';
import { tinyRun } from '../helpers/runs';

/** What the examples may refer to: a finished run with its checkpoints. */
interface Fixture {
  run: Run;
  checkpoint: Checkpoint;
}

/**
 * One valid call of every command. The type requires an entry for each command of the table, so a new
 * command fails the type check until it has an example here.
 */
const examples: { [C in ApiCommand]: (f: Fixture) => ApiArgs<C> } = {
  listMethods: () => [],
  listDatasets: () => [],
  listDatasetEntries: () => [],
  addDataset: () => [{ spec: { id: 'synthetic' }, name: 'generated shapes' }],
  // Refused by the engine (no added dataset with that id): it answered.
  removeDataset: () => [{ entryId: 987654 }],
  checkDataset: () => [{ spec: { id: 'synthetic', trainSize: 40, testSize: 20 }, method: 'supcon' }],
  describeDataset: () => [{ spec: { id: 'synthetic', trainSize: 40, testSize: 20 } }],
  datasetSamples: () => [{ spec: { id: 'synthetic', trainSize: 40, testSize: 20 }, perClass: 2 }],
  // A dataset no job works on (the build below is of another): nothing to delete, and it answered.
  deleteDatasetCache: () => [{ spec: { id: 'cifar10', dataDir: tinyCifarDir } }],
  buildDatasetCache: () => [{ spec: { id: 'synthetic', trainSize: 16, testSize: 8, imageSize: 16 } }],
  listDatasetJobs: () => [],
  listRuns: () => [],
  getRun: (f) => [f.run.id],
  // Refused by the engine itself (no data directory): the command reached it and answered.
  createRun: () => [{ method: 'simclr', dataset: { id: 'cifar10' }, config: {} }],
  stopRun: (f) => [f.run.id],
  updateRun: (f) => [f.run.id, { notes: 'seen over every transport' }],
  // Refused by the engine (a completed run continues only with more epochs): it answered.
  resumeRun: (f) => [f.run.id],
  // Refused by the engine (no such run): it answered.
  deleteRun: () => [987654],
  getMetrics: (f) => [[f.run.id], ['loss']],
  getLogs: (f) => [f.run.id],
  exportCsv: (f) => ['runs', [f.run.id]],
  getHistograms: (f) => [f.run.id],
  listEmbeddings: (f) => [f.run.id],
  getEmbedding: (f) => [f.run.id],
  getRetrieval: (f) => [f.run.id, 0, 5],
  getWorstQueries: (f) => [f.run.id, 5, 3],
  getImages: (f) => [f.run.id, [{ split: 'test', index: 0 }]],
  previewAugmentations: () => [
    { method: 'simclr', dataset: { id: 'synthetic', trainSize: 16, testSize: 8 }, config: {}, count: 2 },
  ],
  listCheckpoints: (f) => [f.run.id],
  getCheckpointFile: (f) => [f.checkpoint.id],
  startLinearProbe: (f) => [f.run.id, f.checkpoint.id],
  // Refused by the engine (a checkpoint of no run): it answered, without fine-tuning three times.
  startFineTune: (f) => [f.run.id, { labelPercent: 10, checkpointId: 987654 }],
  // Refused by the engine (a checkpoint of no run): it answered, without reading another dataset three times.
  startTransfer: (f) => [
    f.run.id,
    { dataset: { id: 'synthetic', trainSize: 16, testSize: 8 }, checkpointId: 987654 },
  ],
  // Refused by the engine (no such fine-tune job to distil): it answered, without training a student three times.
  startDistillation: (f) => [f.run.id, { fineTuneJobId: 987654, temperature: 1, labelWeight: 1 }],
  listJobs: (f) => [f.run.id],
  // Refused by the engine (a grid's rows and columns must differ): it answered.
  createGrid: () => [
    {
      method: 'simclr',
      dataset: { id: 'synthetic' },
      config: {},
      rows: { field: 'temperature', values: [0.1] },
      cols: { field: 'temperature', values: [0.2] },
    },
  ],
  getSettings: () => [],
  updateSettings: () => [{ keepCheckpoints: 0 }],
  listGrids: () => [],
  getGrid: () => [4242],
  // Answers whether or not this machine has a Slurm cluster.
  getSlurmStatus: () => [],
  previewSlurmScript: () => [],
  syncSlurmRuns: () => [],
};

/** The engine's own refusals: the command reached the engine, which answered with a one-line reason. */
const refusedByEngine: Partial<Record<ApiCommand, RegExp>> = {
  createRun: /needs a data directory/,
  resumeRun: /has completed its 1 epochs/,
  deleteRun: /no run with id 987654/,
  startFineTune: /has no checkpoint with id 987654/,
  startTransfer: /has no checkpoint with id 987654/,
  startDistillation: /job 987654 is not a completed fine-tune of run \d+ \(there is no such job\)/,
  removeDataset: /no added dataset with id 987654/,
  createGrid: /two different settings/,
  getGrid: /no grid with id 4242/,
};

/** The commands declared as returning nothing (among those not refused above). */
const returnsNothing = new Set<ApiCommand>(['stopRun', 'removeDataset']);

let dir: string;
/** A CIFAR-10 folder of one training and one test image (official binary records: label byte + 3072). */
let tinyCifarDir = '';
let engine: Engine;
let server: RunningServer;
let host: ChildProcess;
let hostClient: EngineHostClient;
let fixture: Fixture;

beforeAll(async () => {
  dir = tempDir('contrastlab-every-command-');
  tinyCifarDir = path.join(dir, 'cifar-10-batches-bin');
  fs.mkdirSync(tinyCifarDir);
  for (const name of ['data_batch_1.bin', 'test_batch.bin']) {
    fs.writeFileSync(path.join(tinyCifarDir, name), new Uint8Array(3073));
  }
  const db = path.join(dir, 'lab.db');
  engine = new Engine(db);
  const run = await engine.api.createRun({ ...tinyRun, name: 'every command' });
  const done = await engine.waitForRun(run.id);
  const checkpoint = (await engine.api.listCheckpoints(run.id)).at(-1)!;
  fixture = { run: done, checkpoint };
  server = await startServer({ api: engine.api, staticDir: path.join(dir, 'no-renderer') });

  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  host = fork(path.join(repoRoot, 'src-main/engine-host/main.ts'), ['--db', db], {
    execArgv: ['--import', tsx],
    stdio: 'inherit',
  });
  hostClient = connectEngineHost(
    {
      send: (m, sent) => host.send(m, undefined, undefined, () => sent?.()),
      onMessage: (listener) => host.on('message', (m) => listener(m as FromHost)),
    },
    (listener) => host.on('exit', listener),
  );
  await hostClient.ready;
});

afterAll(async () => {
  await hostClient?.close();
  await server?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const transports: Record<string, () => ApiCommands> = {
  'in process (the CLI)': () => inProcessClient(engine.api),
  'HTTP (browser mode)': () =>
    createCommandProxy(async (command, args) => {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-contrastlab-token': server.token },
        body: JSON.stringify({ args }),
      });
      const body = (await response.json()) as { result?: unknown; error?: string };
      return unwrapReply(
        body.error === undefined ? { result: body.result } : { error: body.error, status: response.status },
      );
    }),
  'engine host process (the desktop app)': () =>
    createCommandProxy(async (command, args) => unwrapReply(await hostClient.invoke(command, args))),
};

describe.each(Object.entries(transports))('every command over %s', (_name, client) => {
  it.each(apiCommandNames)('%s answers', async (command) => {
    const api = client() as ContrastLabApi;
    const call = (api[command] as (...a: unknown[]) => Promise<unknown>)(...examples[command](fixture));
    const refusal = refusedByEngine[command];
    if (refusal) {
      // A 400 with the engine's own message: not a 404 (unknown command) or a 500 (a fault).
      await expect(call).rejects.toMatchObject({ status: 400, message: expect.stringMatching(refusal) });
    } else {
      const result = await call;
      // Only the commands declared as returning nothing return nothing.
      expect(result === undefined).toBe(returnsNothing.has(command));
    }
  });
});

describe('the table and the transports agree', () => {
  it('an unknown command is a 404 over every transport', async () => {
    for (const client of Object.values(transports)) {
      const proxy = client() as unknown as Record<string, unknown>;
      expect(proxy.noSuchCommand).toBeUndefined();
    }
    expect((await hostClient.invoke('noSuchCommand', [])) as { status: number }).toMatchObject({
      status: 404,
    });
  });
});
