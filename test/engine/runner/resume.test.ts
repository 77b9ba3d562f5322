import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, type RunProgress } from '../../../src-main/domain';
import { initBackend } from '../../../src-main/engine/backend';
import { warmupCosine } from '../../../src-main/engine/nn/schedule';
import type { TrainingCallback } from '../../../src-main/engine/runner/callbacks/training-callback';
import { checkpointFile, readCheckpointHeader } from '../../../src-main/engine/runner/checkpoint';
import { train, type TrainReporter, type TrainSpec } from '../../../src-main/engine/runner/train';
import { tempDir } from '../../helpers/cli';
import { tinyTrainSpec } from './tiny-train-spec';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = tempDir('contrastlab-resume-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Everything a run reported, by kind, with the step it was reported at. */
interface Reported {
  outcome: string;
  points: { step: number; key: string; value: number }[];
  progress: number[];
  checkpoints: number[];
  histograms: number[];
  embeddings: number[];
  logs: string[];
}

async function run(spec: TrainSpec, stopAfter = Infinity): Promise<Reported> {
  const r: Reported = {
    outcome: '',
    points: [],
    progress: [],
    checkpoints: [],
    histograms: [],
    embeddings: [],
    logs: [],
  };
  const reporter: TrainReporter = {
    started: () => {},
    metric: (step, _epoch, key, value) => r.points.push({ step, key, value }),
    progress: (p) => r.progress.push(p.step),
    log: (_level, message) => r.logs.push(message),
    checkpoint: (c) => r.checkpoints.push(c.step),
    histogram: (h) => r.histograms.push(h.step),
    embedding: (e) => r.embeddings.push(e.step),
  };
  let steps = 0;
  r.outcome = await train(spec, reporter, () => steps++ >= stopAfter);
  return r;
}

const series = (r: Reported, key: string) =>
  r.points.filter((p) => p.key === key).map((p) => [p.step, p.value] as const);

/** Every step a run reported anything at: metric points, progress, checkpoints, histograms, embeddings. */
const reportedSteps = (r: Reported) => [
  ...r.points.map((p) => p.step),
  ...r.progress,
  ...r.checkpoints,
  ...r.histograms,
  ...r.embeddings,
];

/** Largest |a − b| / |b| over the losses both runs report at the same step, with the steps compared. */
function lossDifference(a: Reported[], b: Reported): { steps: number[]; largest: number } {
  const reference = new Map(series(b, 'loss'));
  const steps: number[] = [];
  let largest = 0;
  for (const [step, loss] of a.flatMap((r) => series(r, 'loss'))) {
    const want = reference.get(step)!;
    largest = Math.max(largest, Math.abs(loss - want) / Math.abs(want));
    steps.push(step);
  }
  return { steps, largest };
}

/**
 * 192 synthetic images at batch 64: three steps an epoch, nine in three epochs; a ConvNet of width 8 and
 * small heads. Each method's state that lives between steps is switched on and is at work across the
 * point where the run stops: MoCo v2's queue (128 keys, wrapping every two steps) and its shuffled BN;
 * BYOL's τ on its cosine (from 0.9); SwAV's two queues (in use from epoch 1, once full) and prototypes
 * frozen for five steps; DINO's centre, its teacher temperature warming up over two epochs and its
 * last layer frozen for the first; InstDisc's memory bank with NCE, its noise draws and its Z. The
 * optimisers are each method's own: SGD (SimCLR, MoCo v2, InstDisc), LARS (BYOL, SwAV), AdamW (DINO).
 */
const cases: [string, Record<string, unknown>][] = [
  ['simclr', { projectionHiddenDim: 32 }],
  ['mocov2', { queueSize: 128, projectionDim: 16, projectionHiddenDim: 32 }],
  ['byol', { targetDecay: 0.9, projectionDim: 16, projectionHiddenDim: 32 }],
  [
    'swav',
    {
      numPrototypes: 20,
      projectionDim: 16,
      projectionHiddenDim: 32,
      localCrops: 2,
      queueLength: 128,
      queueStartEpoch: 1,
      freezePrototypesSteps: 5,
    },
  ],
  [
    'dino',
    {
      backbone: 'convnet',
      batchSize: 64,
      prototypes: 64,
      headHiddenDim: 32,
      bottleneckDim: 16,
      localCrops: 2,
      teacherTemperatureWarmupEpochs: 2,
      freezeLastLayerEpochs: 1,
    },
  ],
  ['instdisc', { featureDim: 16, noiseSamples: 32 }],
];

const spec = (method: string, config: Record<string, unknown>, checkpointDir: string, extra = {}) =>
  tinyTrainSpec(
    method,
    { epochs: 3, linearProbe: false, ...config },
    { dataset: { id: 'synthetic', trainSize: 192, testSize: 64 }, checkpointDir, ...extra },
  );

const STEPS = 9;
/** The stopped run trains four steps: it stops in the middle of epoch 2 (after its first batch). */
const STOP_AFTER = 4;
/** The epoch-end checkpoint resumed from: after epoch 1, of the uninterrupted run that went on. */
const EPOCH_END = 3;

describe('a resumed run continues exactly where it stopped', () => {
  const largest: Record<string, { midEpoch: number; epochEnd: number; knnTop1: number }> = {};
  afterAll(() => {
    // The numbers of the exactness claim, for the record.
    console.log(
      `largest relative loss difference, resumed against uninterrupted, and the final kNN top-1 of all three runs: ${JSON.stringify(largest)}`,
    );
  });

  for (const [method, config] of cases) {
    it(`${method}: stopped mid-epoch or killed after an epoch, resumed, it trains the uninterrupted run`, async () => {
      const whole = await run(spec(method, config, path.join(dir, method, 'whole')));
      expect(whole.outcome).toBe('completed');
      expect(series(whole, 'loss')).toHaveLength(STEPS);
      const finalKnn = series(whole, 'knn_top1').at(-1)!;
      expect(finalKnn[0]).toBe(STEPS);

      // (a) Stopped after four steps; its stop checkpoint resumes the rest.
      const stopDir = path.join(dir, method, 'stopped');
      const stopped = await run(spec(method, config, stopDir), STOP_AFTER);
      expect(stopped.outcome).toBe('stopped');
      expect(stopped.checkpoints.at(-1)).toBe(STOP_AFTER);
      const fromStop = await run(
        spec(method, config, stopDir, { resume: { checkpointPath: checkpointFile(stopDir, STOP_AFTER) } }),
      );
      expect(fromStop.outcome).toBe('completed');
      expect(fromStop.logs.some((l) => l.startsWith('resuming from'))).toBe(true);
      const a = lossDifference([stopped, fromStop], whole);
      expect(a.steps).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      expect(a.largest).toBeLessThanOrEqual(1e-5);
      expect(series(fromStop, 'knn_top1').at(-1)).toEqual(finalKnn);
      // Nothing is reported (or saved) again for the steps the stopped run reported.
      expect(Math.min(...reportedSteps(fromStop))).toBe(STOP_AFTER + 1);
      // The stopped epoch's evaluation comes at its end, as in the uninterrupted run.
      expect(series(fromStop, 'knn_top1').map(([s]) => s)).toEqual([6, 9]);
      expect(fromStop.checkpoints).toEqual([6, 9]);

      // (b) The epoch-end checkpoint of the uninterrupted run, as if it had been killed after it.
      const wholeDir = path.join(dir, method, 'whole');
      const fromEpochEnd = await run(
        spec(method, config, path.join(dir, method, 'after-kill'), {
          resume: { checkpointPath: checkpointFile(wholeDir, EPOCH_END) },
        }),
      );
      const b = lossDifference([fromEpochEnd], whole);
      expect(b.steps).toEqual([4, 5, 6, 7, 8, 9]);
      expect(b.largest).toBeLessThanOrEqual(1e-5);
      expect(series(fromEpochEnd, 'knn_top1').at(-1)).toEqual(finalKnn);
      // Its evaluation already ran: the resumed run evaluates at the ends of epochs 2 and 3 only.
      expect(series(fromEpochEnd, 'knn_top1').map(([s]) => s)).toEqual([6, 9]);
      expect(Math.min(...reportedSteps(fromEpochEnd))).toBe(EPOCH_END + 1);
      largest[method] = { midEpoch: a.largest, epochEnd: b.largest, knnTop1: finalKnn[1] };
    });
  }

  it('a run resumed with its batches on an input thread draws the batches it would have drawn', async () => {
    const [method, config] = cases[0]!;
    const whole = await run(spec(method, config, path.join(dir, 'threads', 'whole')));
    const stopDir = path.join(dir, 'threads', 'stopped');
    // Stopped with two batches queued ahead on the input thread: the checkpoint is at the next batch.
    const stopped = await run(spec(method, config, stopDir, { inputThread: true }), STOP_AFTER);
    const resumed = await run(
      spec(method, config, stopDir, {
        inputThread: true,
        resume: { checkpointPath: checkpointFile(stopDir, STOP_AFTER) },
      }),
    );
    expect(resumed.logs).toContain('batches are drawn in an input thread');
    const d = lossDifference([stopped, resumed], whole);
    expect(d.steps).toHaveLength(STEPS);
    expect(d.largest).toBeLessThanOrEqual(1e-5);
    expect(series(resumed, 'knn_top1').at(-1)).toEqual(series(whole, 'knn_top1').at(-1));
  });

  it('a completed run continues for more epochs on the longer run’s schedule', async () => {
    const runDir = path.join(dir, 'longer');
    const config = { projectionHiddenDim: 32, warmupEpochs: 1 };
    const short = await run(spec('simclr', { ...config, epochs: 2 }, runDir));
    expect(short.outcome).toBe('completed');
    const longer = await run(
      spec('simclr', { ...config, epochs: 4 }, runDir, {
        resume: { checkpointPath: checkpointFile(runDir, 6) },
      }),
    );
    expect(longer.outcome).toBe('completed');
    // Steps 7 to 12 at the 12-step cosine's learning rates: higher again than the 6-step run's last.
    const peak = (0.5 * 64) / 256;
    expect(series(longer, 'lr')).toEqual(
      [7, 8, 9, 10, 11, 12].map((s) => [s, expect.closeTo(warmupCosine(s - 1, 12, 3, peak), 12)]),
    );
    expect(series(longer, 'lr')[0]![1]).toBeGreaterThan(series(short, 'lr').at(-1)![1]);
    expect(series(longer, 'knn_top1').map(([s]) => s)).toEqual([9, 12]);
    expect(readCheckpointHeader(checkpointFile(runDir, 12)).training?.run.config.epochs).toBe(4);
  });

  it('from a completed run’s last checkpoint, nothing is trained again: only the final linear probe runs', async () => {
    const runDir = path.join(dir, 'completed');
    const config = { projectionHiddenDim: 32, epochs: 1 };
    const done = await run(spec('simclr', config, runDir));
    const again = await run(
      spec('simclr', { ...config, linearProbe: true }, runDir, {
        resume: { checkpointPath: checkpointFile(runDir, 3) },
      }),
    );
    expect(done.outcome).toBe('completed');
    expect(again.outcome).toBe('completed');
    expect(again.logs).toContain(
      `resuming from ${checkpointFile(runDir, 3)} after step 3 (nothing left to train)`,
    );
    expect(again.points.map((p) => [p.step, p.key])).toEqual([
      [3, 'probe_top1'],
      [3, 'probe_top5'],
    ]);
    // Besides the probe's points, only the progress event that says the probe is under way.
    expect(again.progress).toEqual([3]);
    expect([...again.checkpoints, ...again.histograms, ...again.embeddings]).toEqual([]);
  });

  it('a resumed run’s time left is at the pace of the steps it trained itself', async () => {
    const runDir = path.join(dir, 'pace');
    const config = { projectionHiddenDim: 32 };
    await run(spec('simclr', config, runDir), STOP_AFTER);
    const progress: RunProgress[] = [];
    // The first resumed step takes at least a second more, so the pace is ≥ 0.5 s a step over two steps.
    const slow: TrainingCallback = {
      onStepEnd: (_run, { step }) => {
        const until = performance.now() + 1000;
        while (step === STOP_AFTER + 1 && performance.now() < until);
      },
    };
    await train(
      spec('simclr', config, runDir, { resume: { checkpointPath: checkpointFile(runDir, STOP_AFTER) } }),
      { started: () => {}, metric: () => {}, progress: (p) => progress.push(p), log: () => {} },
      () => false,
      [slow],
    );
    const second = progress.find((p) => p.step === STOP_AFTER + 2)!;
    // Counting the four steps before the checkpoint would give a third of that pace.
    expect(second.etaSeconds).toBeGreaterThanOrEqual(0.5 * (STEPS - second.step));
  });

  it('a resumed run stopped before its first step saves and reports nothing again', async () => {
    const runDir = path.join(dir, 'stopped-again');
    await run(spec('simclr', { projectionHiddenDim: 32 }, runDir), STOP_AFTER);
    const file = checkpointFile(runDir, STOP_AFTER);
    const written = fs.statSync(file).mtimeMs;
    const again = await run(
      spec('simclr', { projectionHiddenDim: 32 }, runDir, { resume: { checkpointPath: file } }),
      0,
    );
    expect(again.outcome).toBe('stopped');
    expect(reportedSteps(again)).toEqual([]);
    expect(fs.statSync(file).mtimeMs).toBe(written);
  });

  it('refuses, in one line naming the file, a checkpoint of another method, config or dataset, or with fewer epochs', async () => {
    const runDir = path.join(dir, 'refusals');
    const base = { projectionHiddenDim: 32, epochs: 1 };
    await run(spec('simclr', base, runDir));
    const file = checkpointFile(runDir, 3);
    const refusal = async (s: TrainSpec) => {
      const error = await train(
        { ...s, resume: { checkpointPath: file } },
        { started: () => {}, metric: () => {}, progress: () => {}, log: () => {} },
        () => false,
      ).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(InputError);
      expect(error!.name).toBe('CheckpointError');
      expect(error!.message).not.toContain('\n');
      expect(error!.message).toContain(file);
      return error!.message;
    };
    const other = path.join(dir, 'refusals-other');
    expect(await refusal(spec('byol', { epochs: 1 }, other))).toMatch(/of a simclr run, this run is byol/);
    expect(await refusal(spec('simclr', { ...base, width: 16 }, other))).toMatch(/width 8, this run has 16/);
    expect(await refusal(spec('simclr', { ...base, backbone: 'resnet18' }, other))).toMatch(/backbone/);
    expect(await refusal(spec('simclr', { ...base, batchSize: 32 }, other))).toMatch(/batchSize 64, .* 32/);
    expect(
      await refusal({
        ...spec('simclr', base, other),
        dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
      }),
    ).toMatch(/192 training images, this run has 128/);
    await run(spec('simclr', { ...base, epochs: 2 }, path.join(dir, 'refusals-2')));
    const twoEpochs = checkpointFile(path.join(dir, 'refusals-2'), 3);
    const fewer = await train(
      { ...spec('simclr', base, other), resume: { checkpointPath: twoEpochs } },
      { started: () => {}, metric: () => {}, progress: () => {}, log: () => {} },
      () => false,
    ).catch((e: Error) => e);
    expect(String(fewer)).toMatch(/has 2 epochs; a resumed run may have more, not fewer/);
  });
});
