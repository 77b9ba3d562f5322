import { cacheProgressLine, scaledLearningRate } from '../../domain';
import { describeBackbone } from '../nn/backbones';
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { initBackend } from '../backend';
import { countFallbacks } from '../backend/vulkan';
import { limitEvaluation, loadDataset } from '../data';
import { labelBatch } from '../data/batches';
import { openInputPipeline, startPosition, type InputPipeline } from '../data/input-pipeline';
import { getMethod, type RunConfig } from '../methods';
import { optimizerSettings } from '../methods/config';
import type { StepContext, TrainBatch } from '../methods/method';
import { createOptimizer } from '../nn/optimizers';
import { Rng } from '../util/rng';
import type { BackendPreference, DatasetSpec } from '../../domain';
import { CallbackList } from './callbacks/callback-list';
import { CheckpointCallback } from './callbacks/checkpoints';
import { DiagnosticsCallback } from './callbacks/diagnostics';
import { KnnMonitorCallback } from './callbacks/knn-monitor';
import { LinearProbeCallback } from './callbacks/linear-probe';
import { ProgressCallback } from './callbacks/progress';
import { StepMetricsCallback } from './callbacks/step-metrics';
import { SystemMetricsCallback } from './callbacks/system-metrics';
import { ThroughputCallback } from './callbacks/throughput';
import type {
  PhaseListener,
  StepEnd,
  TrainingCallback,
  TrainingRun,
  TrainOutcome,
} from './callbacks/training-callback';
import type { CheckpointRun } from './checkpoint';
import { LoopState } from './loop-state';
import type { TrainReporter } from './reporter';
import { openForResume, restoreRun, runTrainingState, type ResumeSpec } from './resume';
import { SplitFeatures } from './split-features';
import { optimizationStep, scheduledLearningRate } from './step';

export type { TrainReporter } from './reporter';
export type { TrainOutcome } from './callbacks/training-callback';

export interface TrainSpec {
  runId: number;
  method: string;
  dataset: DatasetSpec;
  backend: BackendPreference;
  /**
   * The run's config, resolved by the method's schema (methods/index.ts resolveConfig) when the run was
   * created: the engine host validates it once, and the loop trusts it.
   */
  config: RunConfig;
  /** Folder for the run's checkpoints; none are saved without it. */
  checkpointDir?: string;
  /** The dataset cache's folder (data/image-cache.ts); a temporary one without it. */
  datasetCacheDir?: string;
  /** Draw batches on an input thread (data/input-pipeline.ts); default: see useInputThread. */
  inputThread?: boolean;
  /**
   * Augment views in the training thread on its backend, the input thread (where there is one) only
   * reading images and drawing random choices; default: where the backend runs on a GPU.
   */
  augmentOnTrainingBackend?: boolean;
  /**
   * Continue from a checkpoint of this run (runner/resume.ts): everything is restored and training goes on
   * with the step after the checkpoint's; only what comes after it is reported.
   */
  resume?: ResumeSpec;
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

/** Yields to the event loop so a stop request arriving over IPC is seen between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The callbacks of every run, in the order their hooks are called: the step's metric points, then the
 * throughput, which the progress event reads back; on each evaluation the progress event naming it, the
 * diagnostics and the kNN monitor, the linear probe keeping the last evaluation's features, and then the
 * checkpoint. The probe and the checkpoint tell the progress event when they start.
 */
export function defaultCallbacks(config: RunConfig): TrainingCallback[] {
  const progress = new ProgressCallback();
  const onPhase: PhaseListener = (run, phase) => progress.enter(run, phase);
  return [
    new StepMetricsCallback(),
    new ThroughputCallback(),
    new SystemMetricsCallback(),
    progress,
    new DiagnosticsCallback(),
    new KnnMonitorCallback(),
    ...(config.linearProbe ? [new LinearProbeCallback(onPhase)] : []),
    new CheckpointCallback(onPhase),
  ];
}

/**
 * The training loop shared by every method: data order, batches from the input pipeline, the method's
 * optimisation step (runner/step.ts) under a warm-up + cosine learning-rate schedule, stop requests,
 * and the callbacks (runner/callbacks/) for everything else: metrics, throughput, progress,
 * diagnostics, the kNN monitor, checkpoints, the final linear probe, then `extraCallbacks`. A method
 * never needs to change this file.
 *
 * With `spec.resume` the run is built exactly as a new one (same seed, same generators drawn in the same
 * order), then the checkpoint's model and training state replace what was built, and the loop continues
 * from the checkpoint's position: mid-epoch where a stopped run's checkpoint was saved, with the next
 * epoch after an epoch-end one (whose evaluation already ran and is not repeated). From a completed run's
 * last checkpoint, with as many epochs, nothing is left to train and the run ends at once; its final
 * linear probe, which runs after that checkpoint was written (a run killed during it never reported it),
 * is the one thing reported at the checkpoint's step.
 */
/** A cache build's progress as log lines, one per tenth (a 100,000-image folder takes minutes). */
function cacheProgress(reporter: TrainReporter): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const tenth = Math.floor((10 * done) / total);
    if (tenth === shown) return;
    shown = tenth;
    reporter.log('info', cacheProgressLine(done, total));
  };
}

export async function train(
  spec: TrainSpec,
  reporter: TrainReporter,
  shouldStop: () => boolean,
  extraCallbacks: readonly TrainingCallback[] = [],
): Promise<TrainOutcome> {
  const method = getMethod(spec.method);
  const config = spec.config;
  const info = await initBackend(spec.backend);
  reporter.started(info.name, info.device);

  const dataset = await loadDataset({
    ...spec.dataset,
    seed: config.seed,
    cacheDir: spec.datasetCacheDir,
    onProgress: cacheProgress(reporter),
  });
  for (const note of dataset.notes ?? []) reporter.log('warn', note);
  limitEvaluation(dataset, config.evalTrainSize);
  if (method.needsLabels && !dataset.train.labels) {
    throw new Error(`method ${method.id} needs a labelled dataset; ${dataset.name} has no training labels`);
  }
  // The loop's generator: the method's generators and the augmentation seed are drawn from it first, then
  // one permutation per epoch (the data order).
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
  const optimizer = createOptimizer(params, optimizerSettings(config));

  const batchSize = Math.min(config.batchSize, dataset.train.count);
  const stepsPerEpoch = Math.floor(dataset.train.count / batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const warmupSteps = Math.round(config.warmupEpochs * stepsPerEpoch);
  const peakLr = scaledLearningRate(config.lr, batchSize);
  const loop = new LoopState(rng, startPosition(augmentSeed));
  const state = runTrainingState(optimizer, instance, loop);
  const facts: CheckpointRun = {
    config,
    dataset: {
      id: spec.dataset.id,
      trainCount: dataset.train.count,
      height: dataset.height,
      width: dataset.width,
      channels: dataset.channels,
    },
    stepsPerEpoch,
  };
  let resumedAt: number | undefined;
  if (spec.resume) {
    try {
      restoreRun(openForResume(spec.resume.checkpointPath, method.id, facts), instance, state);
    } catch (e) {
      optimizer.dispose();
      instance.dispose();
      throw e;
    }
    resumedAt = loop.step;
    const next =
      loop.epoch < config.epochs
        ? `epoch ${loop.epoch + 1}, batch ${loop.batch + 1} of ${stepsPerEpoch} next`
        : 'nothing left to train';
    reporter.log('info', `resuming from ${spec.resume.checkpointPath} after step ${loop.step} (${next})`);
  }
  reporter.log(
    'info',
    `${method.title} on ${dataset.name} (${dataset.train.count} train / ${dataset.test.count} test images), ` +
      `${describeBackbone(config.backbone, dataset.height)}, width ${config.width}, ` +
      `${instance.encoder.parameterCount()} encoder parameters, ` +
      `${stepsPerEpoch} steps per epoch, backend ${info.name} (${info.device})`,
  );

  const run: TrainingRun = {
    runId: spec.runId,
    method: method.id,
    config,
    instance,
    dataset,
    plan,
    stepsPerEpoch,
    totalSteps,
    resumedAt,
    checkpointDir: spec.checkpointDir,
    training: { run: facts, state },
    reporter,
  };
  const callbacks = new CallbackList(run, [...defaultCallbacks(config), ...extraCallbacks]);
  /** The hooks of the model after `epoch` whole epochs, with features of both splits for this state only. */
  const endOfEpoch = async (step: number, epoch: number) => {
    const features = new SplitFeatures(instance.encoder, dataset);
    try {
      await callbacks.onEpochEnd({ step, epoch, features });
    } finally {
      features.dispose();
    }
  };

  let outcome: TrainOutcome = 'completed';
  let input: InputPipeline | undefined;
  // On vulkan, what ran on the cpu, for the run log: each such kernel reads its inputs back.
  const fallbacks = info.name === 'vulkan' ? countFallbacks() : null;
  try {
    input = await openInputPipeline(
      dataset,
      plan,
      { position: loop.augment },
      {
        useThread: spec.inputThread ?? useInputThread(totalSteps),
        augmentOnTrainingBackend: spec.augmentOnTrainingBackend ?? info.gpu,
      },
    );
    reporter.log('info', `batches are drawn in ${input.where}`);
    await callbacks.onStart();
    if (resumedAt === undefined) await endOfEpoch(0, 0);
    for (let epoch = loop.epoch; epoch < config.epochs && outcome === 'completed'; epoch++) {
      // 0, but for the epoch a run resumed in mid-way.
      const first = loop.batch;
      await callbacks.onEpochStart({ epoch });
      const order = loop.beginEpoch(epoch, dataset.train.count);
      const imagesOf = (b: number) => order.subarray(b * batchSize, (b + 1) * batchSize);
      for (let b = first; b < Math.min(first + BATCHES_AHEAD, stepsPerEpoch); b++) input.queue(imagesOf(b));
      for (let b = first; b < stepsPerEpoch; b++) {
        await yieldToEventLoop();
        if (shouldStop()) {
          outcome = 'stopped';
          break;
        }
        const step = loop.step;
        const indices = imagesOf(b);
        const ctx: StepContext = { step, totalSteps, epoch, stepsPerEpoch };
        const lr = scheduledLearningRate(instance, ctx, warmupSteps, peakLr);
        const views = await input.next();
        if (b + BATCHES_AHEAD < stepsPerEpoch) input.queue(imagesOf(b + BATCHES_AHEAD));
        const batch: TrainBatch = {
          views,
          indices: Int32Array.from(indices),
          labels: labelBatch(dataset.train, indices),
        };
        let result: Awaited<ReturnType<typeof optimizationStep>>;
        try {
          result = await optimizationStep(instance, optimizer, params, batch, ctx, { lr, peakLr });
        } finally {
          tf.dispose(batch.views);
        }
        if (!Number.isFinite(result.loss))
          throw new Error(`loss became ${result.loss} at step ${step + 1}; try a lower learning rate`);
        // The state a checkpoint saves from here is that of the next batch, not of the ones queued ahead.
        loop.stepDone(input.position);
        const position = epoch + (b + 1) / stepsPerEpoch;
        await callbacks.onStepEnd(
          stepEnd(reporter, {
            step: loop.step,
            epoch: position,
            batch: b,
            images: indices.length,
            lr,
            ...result,
          }),
        );
      }
      if (outcome === 'completed') {
        loop.epochDone();
        await endOfEpoch(loop.step, epoch + 1);
      }
    }
    await callbacks.onEnd({ outcome, step: loop.step, epoch: loop.step / stepsPerEpoch });
    if (fallbacks) {
      const list = fallbacks().map((k) => `${k.name} ×${k.calls}`);
      reporter.log(
        'info',
        list.length
          ? `kernels that fell back to the cpu (no vulkan shader for them or these inputs): ${list.join(', ')}`
          : 'every kernel of this run ran on the vulkan device',
      );
    }
  } finally {
    callbacks.onTeardown();
    await input?.close();
    optimizer.dispose();
    instance.dispose();
  }
  return outcome;
}

/** A step's StepEnd, whose log() reports metric points at the step and its epoch position. */
function stepEnd(reporter: TrainReporter, done: Omit<StepEnd, 'log' | 'metrics'>): StepEnd {
  const metrics = new Map<string, number>();
  return {
    ...done,
    metrics,
    log(key, value) {
      metrics.set(key, value);
      reporter.metric(done.step, done.epoch, key, value);
    },
  };
}
