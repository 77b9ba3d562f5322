import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src-main/engine/data';
import { fineTuneSubset } from '../../src-main/engine/eval/fine-tune';
import { Store } from '../../src-main/engine/store/store';
import { jsonLines, runCli, tempDir, type CliResult } from '../helpers/cli';

let dir: string;
let db: string;
/** A tiny synthetic run (labelled) and a run on a flat image folder (no labels), trained by the CLI. */
let labelled: { id: number; step0: number; final: number; finalStep: number };
let unlabelled: { id: number; checkpoint: number };

/** The run's checkpoints (id, step), oldest first, read from the database file. */
function checkpointsOf(runId: number): { id: number; step: number }[] {
  const store = new Store(db);
  try {
    return store.checkpoints.list(runId).map((c) => ({ id: c.id, step: c.step }));
  } finally {
    store.close();
  }
}

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

async function train(args: string[]): Promise<number> {
  const r = await runCli(['train', ...args, '--db', db, '--json']);
  expect(r.code).toBe(0);
  const end = jsonLines(r.stdout).at(-1) as { event: string; status: string; runId: number };
  expect(end).toMatchObject({ event: 'finished', status: 'completed' });
  return end.runId;
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

beforeAll(async () => {
  dir = tempDir('contrastlab-cli-finetune-');
  db = path.join(dir, 'lab.db');
  // 128 generated images of 10 classes (12 or 13 each), one epoch of two steps.
  const id = await train([
    '--method',
    'simclr',
    '--dataset',
    'synthetic',
    '--train-size',
    '128',
    '--test-size',
    '64',
    '--epochs',
    '1',
    '--width',
    '8',
    '--batch-size',
    '64',
    '--set',
    'projectionHiddenDim=64',
    '--set',
    'linearProbe=false',
  ]);
  const checkpoints = checkpointsOf(id);
  labelled = {
    id,
    step0: checkpoints.find((c) => c.step === 0)!.id,
    final: checkpoints.at(-1)!.id,
    finalStep: checkpoints.at(-1)!.step,
  };
  expect(labelled.finalStep).toBeGreaterThan(0);

  // A flat folder of images: a dataset without labels.
  const folder = path.join(dir, 'flat');
  fs.mkdirSync(folder);
  for (let i = 0; i < 24; i++) {
    const pixels = Buffer.alloc(16 * 16 * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (i + 3) * 7) % 256;
    await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(path.join(folder, `${i}.png`));
  }
  const flat = await train([
    '--method',
    'simclr',
    '--dataset',
    'imagefolder',
    '--data-dir',
    folder,
    '--image-size',
    '16',
    '--epochs',
    '1',
    '--batch-size',
    '8',
    '--width',
    '4',
    '--set',
    'projectionHiddenDim=16',
  ]);
  unlabelled = { id: flat, checkpoint: checkpointsOf(flat).at(-1)!.id };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('contrastlab finetune', () => {
  it("fine-tunes a run's latest checkpoint on 100% of the labels, prints top-1 / top-5 and records finetune_top1", async () => {
    const r = await runCli([
      'finetune',
      String(labelled.id),
      '--labels',
      '100%',
      '--epochs',
      '2',
      '--db',
      db,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/fine-tune on 100% of the labels: epoch 2\/2/);
    const m =
      /checkpoint (\d+) \(step (\d+)\): fine-tuned on 100% of the labels \(128 images\): top-1 ([\d.]+)%, top-5 ([\d.]+)%/.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    expect([Number(m![1]), Number(m![2])]).toEqual([labelled.final, labelled.finalStep]);
    const [top1, top5] = [Number(m![3]), Number(m![4])];
    expect(top5).toBeGreaterThanOrEqual(top1);
    expect(top5).toBeGreaterThan(0);

    // At the checkpoint's step, under the plain key and under the key of the share.
    for (const key of ['finetune_top1', 'finetune_top1_100pct']) {
      const { points } = recorded(labelled.id, key);
      expect(points).toHaveLength(1);
      expect(points[0]!.step).toBe(labelled.finalStep);
      expect(100 * points[0]!.value).toBeCloseTo(top1, 1);
    }
    const top5Points = recorded(labelled.id, 'finetune_top5_100pct').points;
    expect(100 * top5Points[0]!.value).toBeCloseTo(top5, 1);
    // The job keeps what it was asked for.
    const job = recorded(labelled.id, 'finetune_top1').jobs.at(-1)!;
    expect(job).toMatchObject({
      kind: 'fine-tune',
      checkpointId: labelled.final,
      status: 'completed',
      params: { labelPercent: 100, epochs: 2 },
      result: { labelPercent: 100, labelledImages: 128, epochs: 2 },
    });
  });

  it('fine-tunes a named checkpoint (step 0) on a share of the labels; --json prints every job update', async () => {
    const r = await runCli([
      'finetune',
      String(labelled.id),
      '--checkpoint',
      String(labelled.step0),
      '--labels',
      '50',
      '--epochs',
      '1',
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
    expect(last.checkpointId).toBe(labelled.step0);
    // Half of each class, rounded: as many images as the subset the run's dataset gives.
    const store = new Store(db);
    const seed = store.getRun(labelled.id)!.config.seed as number;
    store.close();
    const dataset = await loadDataset({ id: 'synthetic', trainSize: 128, testSize: 64, seed });
    const labelledImages = fineTuneSubset(dataset, 50).indices.length;
    expect(labelledImages).toBeGreaterThanOrEqual(64);
    expect(last.result).toMatchObject({ labelPercent: 50, labelledImages });
    const { points } = recorded(labelled.id, 'finetune_top1_50pct');
    expect(points).toEqual([{ step: 0, value: last.result!.top1 }]);
  });

  it('refuses bad input with one line and exit code 2', async () => {
    // 12 or 13 images per class: 3% of them is no image.
    const empty = expectOneLine(
      await runCli(['finetune', String(labelled.id), '--labels', '3%', '--db', db]),
    );
    expect(empty).toMatch(
      /^contrastlab: 3% of the labels leaves class ".+" without an image \(it has 1\d labelled training images\); every class keeps one from [\d.]+% on$/,
    );
    // The job that found out is recorded as failed, with the same line; nothing was measured.
    const failed = recorded(labelled.id, 'finetune_top1_3pct');
    expect(failed.points).toEqual([]);
    expect(failed.jobs.at(-1)).toMatchObject({
      status: 'failed',
      params: { labelPercent: 3 },
      error: empty.replace('contrastlab: ', ''),
    });

    expect(
      expectOneLine(await runCli(['finetune', String(labelled.id), '--labels', 'abc', '--db', db])),
    ).toMatch(/--labels must be a share of the labels above 0% and at most 100% .*got "abc"/);
    expect(expectOneLine(await runCli(['finetune', String(labelled.id), '--db', db]))).toMatch(
      /needs --labels/,
    );
    // A checkpoint of another run.
    expect(
      expectOneLine(
        await runCli([
          'finetune',
          String(labelled.id),
          '--checkpoint',
          String(unlabelled.checkpoint),
          '--labels',
          '10%',
          '--db',
          db,
        ]),
      ),
    ).toBe(`contrastlab: run ${labelled.id} has no checkpoint with id ${unlabelled.checkpoint}`);
    // A dataset without labels.
    expect(
      expectOneLine(await runCli(['finetune', String(unlabelled.id), '--labels', '10%', '--db', db])),
    ).toMatch(/^contrastlab: dataset .+ has no labelled training and test images to fine-tune with$/);
  });
});

describe('contrastlab distill', () => {
  it('distils a completed fine-tune into a fresh student, records distill_top1, and refuses bad input in one line', async () => {
    // The teacher: a fine-tune of the run's latest checkpoint, which keeps its network beside the checkpoints.
    const tuned = await runCli([
      'finetune',
      String(labelled.id),
      '--labels',
      '50%',
      '--epochs',
      '1',
      '--db',
      db,
      '--json',
    ]);
    expect(tuned.code).toBe(0);
    const teacher = (jsonLines(tuned.stdout).at(-1) as { job: { id: number; status: string } }).job;
    expect(teacher.status).toBe('completed');
    const runFolder = path.join(dir, 'checkpoints', `run-${labelled.id}`);
    expect(fs.existsSync(path.join(runFolder, `finetune-job-${teacher.id}.model`))).toBe(true);

    const r = await runCli([
      'distill',
      String(labelled.id),
      '--teacher',
      String(teacher.id),
      '--student-width',
      '4',
      '--epochs',
      '1',
      '--label-weight',
      '0.5',
      '--db',
      db,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/distil: epoch 1\/1/);
    const m =
      /fine-tune job (\d+) distilled into a width-4 student \(128 images, 1 epochs\): top-1 ([\d.]+)%, top-5 ([\d.]+)%; teacher top-1 ([\d.]+)%/.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(teacher.id);
    // At the step of the checkpoint the teacher was fine-tuned from.
    const { points, jobs } = recorded(labelled.id, 'distill_top1');
    expect(points).toHaveLength(1);
    expect(points[0]!.step).toBe(labelled.finalStep);
    expect(100 * points[0]!.value).toBeCloseTo(Number(m![2]), 1);
    expect(recorded(labelled.id, 'distill_top5').points).toHaveLength(1);
    expect(jobs.at(-1)).toMatchObject({
      kind: 'distill',
      status: 'completed',
      checkpointId: labelled.final,
      params: {
        fineTuneJobId: teacher.id,
        labelPercent: 50,
        temperature: 1,
        labelWeight: 0.5,
        studentWidth: 4,
        epochs: 1,
      },
      result: { studentWidth: 4, images: 128, epochs: 1 },
    });

    // Bad input: one line each, and no job recorded. Side by side: each is refused before a job is.
    const before = jobs.length;
    const distil = async (runId: number, ...flags: string[]) =>
      expectOneLine(await runCli(['distill', String(runId), ...flags, '--db', db]));
    const teacherFlag = ['--teacher', String(teacher.id)];
    const [missing, temperature, weight, wide, fractional, unlabelledRun] = await Promise.all([
      distil(labelled.id, '--teacher', '987654'),
      distil(labelled.id, ...teacherFlag, '--temperature', '0'),
      distil(labelled.id, ...teacherFlag, '--label-weight', '1.5'),
      distil(labelled.id, ...teacherFlag, '--student-width', '16'),
      distil(labelled.id, ...teacherFlag, '--student-width', '2.5'),
      distil(unlabelled.id, ...teacherFlag),
    ]);
    expect(missing).toBe(
      `contrastlab: job 987654 is not a completed fine-tune of run ${labelled.id} (there is no such job)`,
    );
    expect(temperature).toBe('contrastlab: the distillation temperature must be above 0, got 0');
    expect(weight).toMatch(/^contrastlab: the label weight .* must be from 0 to 1, got 1\.5$/);
    expect(wide).toBe(
      "contrastlab: the student width must be a whole number from 1 to 8 (the teacher's), got 16",
    );
    expect(fractional).toBe('contrastlab: --student-width must be a positive integer, got "2.5"');
    expect(unlabelledRun).toMatch(
      /^contrastlab: dataset .+ has no labelled training and test images to distil with$/,
    );
    expect(recorded(labelled.id, 'distill_top1').jobs).toHaveLength(before);
  });
});
