import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine';
import { Store } from '../../src-main/engine/store/store';
import { jsonLines, runCli, tempDir, type CliResult } from '../helpers/cli';

let dir: string;
let db: string;
/** A tiny synthetic run (32 px, colour), trained by the CLI: its id, checkpoints and last step. */
let trained: { id: number; step0: number; final: number; finalStep: number };
/** A folder of 20 px greyscale stripes, one subfolder per class, with train/ and test/. */
let stripes: string;
/** A flat folder of images: no labels. */
let flat: string;

/** What the database holds of a run's metric `key` and of its jobs. */
function recorded(runId: number, key: string) {
  const store = new Store(db);
  try {
    return {
      points: store.metrics([runId], [key]).map((p) => ({ step: p.step, value: p.value })),
      jobs: store.jobs.list(runId),
    };
  } finally {
    store.close();
  }
}

/** The user's input was refused: exit code 2 and one line on stderr, nothing on stdout. */
function expectOneLine(r: CliResult): string {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^contrastlab: /);
  return lines[0]!;
}

/** A 20×20 greyscale PNG of stripes: horizontal (class 0), vertical (1) or diagonal (2). */
function stripesPng(label: number, i: number, file: string): Promise<unknown> {
  const side = 20;
  const period = 3 + (i % 3);
  const pixels = Buffer.alloc(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const t = label === 0 ? y : label === 1 ? x : x + y;
      pixels[y * side + x] = (t + i) % period < period / 2 ? 220 - 5 * i : 30 + 3 * i;
    }
  }
  return sharp(pixels, { raw: { width: side, height: side, channels: 1 } })
    .png()
    .toFile(file);
}

beforeAll(async () => {
  dir = tempDir('contrastlab-cli-transfer-');
  db = path.join(dir, 'lab.db');
  const r = await runCli([
    'train',
    '--method',
    'simclr',
    '--dataset',
    'synthetic',
    '--train-size',
    '128',
    '--test-size',
    '32',
    '--epochs',
    '1',
    '--width',
    '4',
    '--batch-size',
    '64',
    '--set',
    'projectionHiddenDim=16',
    '--set',
    'linearProbe=false',
    '--db',
    db,
    '--json',
  ]);
  expect(r.code).toBe(0);
  const id = (jsonLines(r.stdout).at(-1) as { runId: number }).runId;
  const store = new Store(db);
  const checkpoints = store.checkpoints.list(id);
  store.close();
  trained = {
    id,
    step0: checkpoints.find((c) => c.step === 0)!.id,
    final: checkpoints.at(-1)!.id,
    finalStep: checkpoints.at(-1)!.step,
  };
  expect(trained.finalStep).toBeGreaterThan(0);

  stripes = path.join(dir, 'stripes-20px');
  flat = path.join(dir, 'flat');
  fs.mkdirSync(flat);
  const writes: Promise<unknown>[] = [];
  for (const [split, perClass] of [
    ['train', 8],
    ['test', 4],
  ] as const) {
    for (const [label, name] of ['horizontal', 'vertical', 'diagonal'].entries()) {
      const folder = path.join(stripes, split, name);
      fs.mkdirSync(folder, { recursive: true });
      for (let i = 0; i < perClass; i++) writes.push(stripesPng(label, i, path.join(folder, `${i}.png`)));
    }
  }
  for (let i = 0; i < 6; i++) writes.push(stripesPng(i % 3, i, path.join(flat, `${i}.png`)));
  await Promise.all(writes);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab transfer', () => {
  it("judges a run's latest checkpoint on an image folder of another size and records the folder's keys", async () => {
    const r = await runCli([
      'transfer',
      String(trained.id),
      '--dataset',
      'imagefolder',
      '--data-dir',
      stripes,
      '--db',
      db,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/transfer to Image folder \(stripes-20px\): linear probe/);
    const m =
      /^run \d+, checkpoint (\d+) \(step (\d+)\) on imagefolder \(24 training \/ 12 test images\): kNN top-1 ([\d.]+)%, linear probe top-1 ([\d.]+)%, top-5 ([\d.]+)%\n$/.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    expect([Number(m![1]), Number(m![2])]).toEqual([trained.final, trained.finalStep]);
    const [knn, probe, probeTop5] = [Number(m![3]), Number(m![4]), Number(m![5])];
    expect(probeTop5).toBe(100);

    // At the checkpoint's step, under the keys of the folder, as printed.
    const at = (key: string) => recorded(trained.id, key).points;
    expect(at('transfer_knn_top1_imagefolder_stripes_20px')).toEqual([
      { step: trained.finalStep, value: expect.closeTo(knn / 100, 4) },
    ]);
    expect(at('transfer_probe_top1_imagefolder_stripes_20px')).toEqual([
      { step: trained.finalStep, value: expect.closeTo(probe / 100, 4) },
    ]);
    expect(at('transfer_probe_top5_imagefolder_stripes_20px')).toHaveLength(1);
    expect(at('transfer_knn_top5_imagefolder_stripes_20px')).toHaveLength(1);
    // The job keeps what it was asked for; the run's own probe keys are untouched.
    expect(at('probe_top1')).toEqual([]);
    const job = recorded(trained.id, 'probe_top1').jobs.at(-1)!;
    expect(job).toMatchObject({
      kind: 'transfer',
      checkpointId: trained.final,
      status: 'completed',
      params: { dataset: 'imagefolder', dataDir: stripes },
      result: { trainImages: 24, testImages: 12 },
    });
  });

  it('judges a named checkpoint (step 0) on generated shapes; --json prints every job update', async () => {
    const r = await runCli([
      'transfer',
      String(trained.id),
      '--checkpoint',
      String(trained.step0),
      '--dataset',
      'synthetic',
      '--train-size',
      '40',
      '--test-size',
      '20',
      '--db',
      db,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout) as {
      event: string;
      job: { status: string; checkpointId: number; result: Record<string, number> | null };
    }[];
    expect(events.every((e) => e.event === 'job-updated')).toBe(true);
    const statuses = events.map((e) => e.job.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['queued', 'running', 'completed']);
    const last = events.at(-1)!.job;
    expect(last.checkpointId).toBe(trained.step0);
    expect(last.result).toMatchObject({ trainImages: 40, testImages: 20 });
    expect(recorded(trained.id, 'transfer_knn_top1_synthetic').points).toEqual([
      { step: 0, value: last.result!.knnTop1 },
    ]);
  });

  it('refuses bad input with one line and exit code 2, recording nothing', async () => {
    const jobsBefore = recorded(trained.id, 'probe_top1').jobs.length;
    const transfer = (...args: string[]) => runCli(['transfer', ...args, '--db', db]);
    const run = String(trained.id);
    // A run still training (queued by a live host, this test's process).
    const store = new Store(db);
    const host = store.hosts.register(process.pid);
    const training = store.createRun(
      { method: 'simclr', dataset: { id: 'synthetic' }, config: {}, name: 'still training' },
      host,
    );
    store.close();
    const other = String(training.id);
    try {
      // Side by side: each is refused before any job is recorded.
      const [unlabelled, missing, stillTraining, foreign] = await Promise.all([
        transfer(run, '--dataset', 'imagefolder', '--data-dir', flat),
        transfer(run, '--dataset', 'imagefolder', '--data-dir', path.join(dir, 'missing')),
        transfer(other, '--dataset', 'synthetic'),
        transfer(other, '--checkpoint', String(trained.final), '--dataset', 'synthetic'),
      ]);
      // A dataset without labels, and one that cannot be read.
      expect(expectOneLine(unlabelled!)).toBe(
        'contrastlab: dataset Image folder (flat) has no labelled training and test images to transfer to',
      );
      expect(expectOneLine(missing!)).toMatch(/^contrastlab: .*not found: .*missing$/);
      // A run still training without a named checkpoint, and a checkpoint of another run.
      expect(expectOneLine(stillTraining!)).toBe(
        `contrastlab: run ${other} is queued; transfer it once it has finished, or name a checkpoint`,
      );
      expect(expectOneLine(foreign!)).toBe(
        `contrastlab: run ${other} has no checkpoint with id ${trained.final}`,
      );
    } finally {
      const closing = new Store(db);
      closing.hosts.close(host);
      closing.close();
    }
    // The other dataset is read at the run's size: the API refuses another (the CLI has no flag for it).
    const engine = new Engine(db);
    try {
      await expect(
        engine.api.startTransfer(trained.id, { dataset: { id: 'synthetic', imageSize: 64 } }),
      ).rejects.toThrow(
        /^a transfer reads the other dataset at the run's input size, 32 px; imageSize 64 cannot be asked for$/,
      );
    } finally {
      await engine.close();
    }
    expect(recorded(trained.id, 'probe_top1').jobs).toHaveLength(jobsBefore);
    expect(recorded(training.id, 'probe_top1').jobs).toEqual([]);
  });
});
