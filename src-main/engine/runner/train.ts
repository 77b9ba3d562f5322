import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { initBackend } from '../backend';
import { loadDataset } from '../data';
import { labelBatch } from '../data/batches';
import { openInputPipeline, type InputPipeline } from '../data/input-pipeline';
import type { Dataset } from '../data/dataset';
import { extractFeatures } from '../eval/features';
import { weightedKnn } from '../eval/knn';
import { getMethod, resolveConfig, type RunConfig } from '../methods';
import type { MethodInstance, StepContext, TrainBatch } from '../methods/method';
import { createOptimizer } from '../nn/optimizers';
import { warmupCosine } from '../nn/schedule';
import { optimizationStep } from './step';
import { RunCheckpointer, type SavedCheckpoint } from './checkpoint';
import { probeAtEnd } from './final-probe';
import { reportDiagnostics } from './diagnostics';
import { pairSet } from '../eval/diagnostics';
import type { EmbeddingReport } from './protocol';
import { Rng } from '../util/rng';
import type { BackendPreference, DatasetSpec, RunProgress, SimilarityHistogram } from '../../domain';

export interface TrainSpec {
  runId: number;
  method: string;
  dataset: DatasetSpec;
  backend: BackendPreference;
  config: Record<string, unknown>;
  /** Folder for the run's checkpoints; none are saved without it. */
  checkpointDir?: string;
  /** Draw batches on an input thread (data/input-pipeline.ts); default: see useInputThread. */
  inputThread?: boolean;
}

/**
 * Whether batches are drawn on an input thread by default. It needs a core of its own: with the step on
 * every core, a 2-core machine trained slower with it (e2e 387 ms a ResNet-18 step against 370 ms
 * drawing in turn); and it costs about half a second to start, so short runs (tests) do without.
 */
export function useInputThread(totalSteps: number, cores = os.availableParallelism()): boolean {
  return cores >= 4 && totalSteps >= 20;
}

/** Batches queued ahead of the one being trained on. */
const BATCHES_AHEAD = 2;

/** Where the training loop reports to: the worker forwards these to the engine host. */
export interface TrainReporter {
  started(backend: string, device: string): void;
  metric(step: number, epoch: number, key: string, value: number): void;
  progress(progress: RunProgress): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** A checkpoint was written (runner/checkpoint.ts). */
  checkpoint?(saved: SavedCheckpoint): void;
  /** The similarity histograms of an evaluation (runner/diagnostics.ts). */
  histogram?(histogram: Omit<SimilarityHistogram, 'runId'>): void;
  /** An embedding snapshot of an evaluation (runner/diagnostics.ts); only computed when this is given. */
  embedding?(embedding: Omit<EmbeddingReport, 'runId'>): void;
}

export type TrainOutcome = 'completed' | 'stopped';

/** Yields to the event loop so a stop request arriving over IPC is seen between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The training loop shared by every method: data order, augmentation, the method's step under the
 * optimiser with a warm-up + cosine schedule, the method's post-step updates, and the kNN monitor at
 * step 0 and after every epoch. A method never needs to change this file.
 */
export async function train(
  spec: TrainSpec,
  reporter: TrainReporter,
  shouldStop: () => boolean,
): Promise<TrainOutcome> {
  const method = getMethod(spec.method);
  const config = resolveConfig(method, spec.config);
  const info = await initBackend(spec.backend);
  reporter.started(info.name, info.device);

  const dataset = await loadDataset({ ...spec.dataset, seed: config.seed });
  if (method.needsLabels && !dataset.train.labels) {
    throw new Error(`method ${method.id} needs a labelled dataset; ${dataset.name} has no training labels`);
  }
  const rng = new Rng(config.seed);
  const instance = method.create(config, {
    rng: rng.fork(),
    imageSize: dataset.height,
    channels: dataset.channels,
    trainSize: dataset.train.count,
    mean: dataset.mean,
    std: dataset.std,
  });
  const plan = method.viewPlan(config, dataset.height);
  // The augmentation stream, apart from the data order, so that batches are the same wherever drawn.
  const augmentSeed = rng.nextSeed();
  const params = instance.trainableParameters();
  const optimizer = createOptimizer(params, {
    id: config.optimizer,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
  });
  const variables = params.map(([, v]) => v);

  const batchSize = Math.min(config.batchSize, dataset.train.count);
  const stepsPerEpoch = Math.floor(dataset.train.count / batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const warmupSteps = Math.round(config.warmupEpochs * stepsPerEpoch);
  // Linear scaling rule (Goyal et al. 2017), as SimCLR, MoCo and BYOL state their learning rates.
  const peakLr = (config.lr * batchSize) / 256;
  const viewsPerImage = plan.global.length + plan.local.length;
  reporter.log(
    'info',
    `${method.title} on ${dataset.name} (${dataset.train.count} train / ${dataset.test.count} test images), ` +
      `${config.backbone} width ${config.width}, ${instance.encoder.parameterCount()} encoder parameters, ` +
      `${stepsPerEpoch} steps per epoch, backend ${info.name} (${info.device})`,
  );

  const diagnosticPairs = pairSet(dataset.train.count, plan, config.seed);
  /**
   * kNN, diagnostics and embedding snapshots. Features of both splits are extracted once and shared;
   * with `keep`, they are returned (the caller disposes them) for the end-of-run linear probe.
   */
  const evaluate = (step: number, epoch: number, keep = false) => {
    const trainFeatures = splitFeatures(instance, dataset, 'train');
    const testFeatures = splitFeatures(instance, dataset, 'test');
    let knn: ReturnType<typeof knnMonitor>;
    let kept = false;
    try {
      reportDiagnostics(reporter, step, epoch, {
        encoder: instance.encoder,
        dataset,
        pairs: diagnosticPairs,
        train: trainFeatures,
        test: testFeatures,
      });
      knn = knnMonitor(trainFeatures, testFeatures, dataset, config);
      kept = keep && trainFeatures !== null && testFeatures !== null;
    } finally {
      if (!kept) {
        trainFeatures?.dispose();
        testFeatures?.dispose();
      }
    }
    if (knn) {
      reporter.metric(step, epoch, 'knn_top1', knn.top1);
      reporter.metric(step, epoch, 'knn_top5', knn.top5);
      reporter.log('info', `epoch ${epoch}: kNN top-1 ${(100 * knn.top1).toFixed(2)}%`);
    }
    return kept ? { train: trainFeatures!, test: testFeatures! } : undefined;
  };

  const checkpoints = new RunCheckpointer(instance, {
    dir: spec.checkpointDir,
    runId: spec.runId,
    method: method.id,
    epochs: config.epochs,
    every: config.checkpointEvery,
    saved: (c) => reporter.checkpoint?.(c),
    warn: (message) => reporter.log('warn', message),
  });
  let outcome: TrainOutcome = 'completed';
  let finalFeatures: { train: tf.Tensor2D; test: tf.Tensor2D } | undefined;
  let input: InputPipeline | undefined;
  try {
    input = await openInputPipeline(
      dataset,
      plan,
      augmentSeed,
      spec.inputThread ?? useInputThread(totalSteps),
    );
    reporter.log('info', `batches are drawn in ${input.where}`);
    evaluate(0, 0);
    await checkpoints.save(0, 0);
    const started = Date.now();
    let step = 0;
    let recent = { images: 0, since: performance.now() };
    for (let epoch = 0; epoch < config.epochs && outcome === 'completed'; epoch++) {
      // Throughput counts training only: the evaluation that ended the previous epoch is not in it.
      recent = { images: 0, since: performance.now() };
      const order = rng.permutation(dataset.train.count);
      const imagesOf = (b: number) => order.subarray(b * batchSize, (b + 1) * batchSize);
      for (let b = 0; b < Math.min(BATCHES_AHEAD, stepsPerEpoch); b++) input.queue(imagesOf(b));
      for (let b = 0; b < stepsPerEpoch; b++) {
        await yieldToEventLoop();
        if (shouldStop()) {
          outcome = 'stopped';
          break;
        }
        const indices = imagesOf(b);
        const ctx: StepContext = { step, totalSteps, epoch, stepsPerEpoch };
        const lr = warmupCosine(step, totalSteps, warmupSteps, peakLr);
        const views = await input.next();
        if (b + BATCHES_AHEAD < stepsPerEpoch) input.queue(imagesOf(b + BATCHES_AHEAD));
        const batch: TrainBatch = {
          views,
          indices: Int32Array.from(indices),
          labels: labelBatch(dataset.train, indices),
        };
        let result: Awaited<ReturnType<typeof optimizationStep>>;
        try {
          result = await optimizationStep(instance, optimizer, variables, batch, ctx, lr);
        } finally {
          tf.dispose(batch.views);
        }
        const { loss, logs } = result;

        const epochPosition = epoch + (b + 1) / stepsPerEpoch;
        if (!Number.isFinite(loss))
          throw new Error(`loss became ${loss} at step ${step + 1}; try a lower learning rate`);
        reporter.metric(step + 1, epochPosition, 'loss', loss);
        reporter.metric(step + 1, epochPosition, 'lr', lr);
        for (const [k, v] of Object.entries(logs)) reporter.metric(step + 1, epochPosition, k, v);
        recent.images += indices.length * viewsPerImage;
        const elapsed = (performance.now() - recent.since) / 1000;
        step++;
        let imagesPerSecond: number | null = null;
        if (elapsed >= 2 || b === stepsPerEpoch - 1) {
          imagesPerSecond = recent.images / elapsed;
          reporter.metric(step, epochPosition, 'images_per_s', imagesPerSecond);
          recent = { images: 0, since: performance.now() };
        }
        const secondsPerStep = (Date.now() - started) / 1000 / step;
        reporter.progress({
          runId: spec.runId,
          step,
          totalSteps,
          epoch: epochPosition,
          epochs: config.epochs,
          loss,
          imagesPerSecond,
          etaSeconds: secondsPerStep * (totalSteps - step),
        });
      }
      if (outcome === 'completed') {
        // The last evaluation's features serve the linear probe too: the encoder has not changed since.
        const last = epoch + 1 === config.epochs;
        finalFeatures = evaluate(step, epoch + 1, last && config.linearProbe);
        await checkpoints.afterEpoch(step, epoch + 1);
      }
    }
    // A completed run gets its linear probe; a stopped one a checkpoint of the state it reached.
    if (outcome === 'completed' && config.linearProbe) {
      await probeAtEnd(instance.encoder, dataset, step, config.epochs, reporter, finalFeatures);
    }
    if (outcome === 'stopped' && step > 0) await checkpoints.save(step, step / stepsPerEpoch);
  } finally {
    await input?.close();
    if (finalFeatures) tf.dispose([finalFeatures.train, finalFeatures.test]);
    optimizer.dispose();
    instance.dispose();
  }
  return outcome;
}

/** Weighted kNN of the test split against the training split (InstDisc protocol), if labelled. */
function knnMonitor(
  train: tf.Tensor2D | null,
  test: tf.Tensor2D | null,
  dataset: Dataset,
  config: RunConfig,
) {
  if (!train || !test || !dataset.train.labels || !dataset.test.labels) return null;
  return weightedKnn(train, dataset.train.labels, test, dataset.test.labels, {
    k: config.knnK,
    temperature: config.knnTemperature,
    numClasses: dataset.classNames.length,
  });
}

/** L2-normalised eval-mode backbone features of a whole split (null when it is empty). */
function splitFeatures(instance: MethodInstance, dataset: Dataset, split: 'train' | 'test') {
  const images = dataset[split];
  if (images.count === 0) return null;
  return extractFeatures(instance.encoder, images, dataset.mean, dataset.std);
}
