import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { initBackend } from '../backend';
import { loadDataset } from '../data';
import { labelBatch } from '../data/batches';
import { openInputPipeline, type InputPipeline } from '../data/input-pipeline';
import { getMethod, type RunConfig } from '../methods';
import type { StepContext, TrainBatch } from '../methods/method';
import { createOptimizer } from '../nn/optimizers';
import { warmupCosine } from '../nn/schedule';
import { Rng } from '../util/rng';
import type { BackendPreference, DatasetSpec } from '../../domain';
import { CallbackList } from './callbacks/callback-list';
import { CheckpointCallback } from './callbacks/checkpoints';
import { DiagnosticsCallback } from './callbacks/diagnostics';
import { KnnMonitorCallback } from './callbacks/knn-monitor';
import { LinearProbeCallback } from './callbacks/linear-probe';
import { ProgressCallback } from './callbacks/progress';
import { StepMetricsCallback } from './callbacks/step-metrics';
import { ThroughputCallback } from './callbacks/throughput';
import type { StepEnd, TrainingCallback, TrainingRun, TrainOutcome } from './callbacks/training-callback';
import type { TrainReporter } from './reporter';
import { SplitFeatures } from './split-features';
import { optimizationStep } from './step';

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

/** Yields to the event loop so a stop request arriving over IPC is seen between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The callbacks of every run, in the order their hooks are called: the step's metric points, then the
 * throughput, which the progress event reads back; on each evaluation the diagnostics and the kNN
 * monitor, the linear probe keeping the last evaluation's features, and then the checkpoint.
 */
export function defaultCallbacks(config: RunConfig): TrainingCallback[] {
  return [
    new StepMetricsCallback(),
    new ThroughputCallback(),
    new ProgressCallback(),
    new DiagnosticsCallback(),
    new KnnMonitorCallback(),
    ...(config.linearProbe ? [new LinearProbeCallback()] : []),
    new CheckpointCallback(),
  ];
}

/**
 * The training loop shared by every method: data order, batches from the input pipeline, the method's
 * optimisation step (runner/step.ts) under a warm-up + cosine learning-rate schedule, stop requests,
 * and the callbacks (runner/callbacks/) for everything else: metrics, throughput, progress,
 * diagnostics, the kNN monitor, checkpoints, the final linear probe, then `extraCallbacks`. A method
 * never needs to change this file.
 */
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
  reporter.log(
    'info',
    `${method.title} on ${dataset.name} (${dataset.train.count} train / ${dataset.test.count} test images), ` +
      `${config.backbone} width ${config.width}, ${instance.encoder.parameterCount()} encoder parameters, ` +
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
    checkpointDir: spec.checkpointDir,
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
  let step = 0;
  let input: InputPipeline | undefined;
  try {
    input = await openInputPipeline(
      dataset,
      plan,
      augmentSeed,
      spec.inputThread ?? useInputThread(totalSteps),
    );
    reporter.log('info', `batches are drawn in ${input.where}`);
    await callbacks.onStart();
    await endOfEpoch(0, 0);
    for (let epoch = 0; epoch < config.epochs && outcome === 'completed'; epoch++) {
      await callbacks.onEpochStart({ epoch });
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
        if (!Number.isFinite(result.loss))
          throw new Error(`loss became ${result.loss} at step ${step + 1}; try a lower learning rate`);
        step++;
        const position = epoch + (b + 1) / stepsPerEpoch;
        await callbacks.onStepEnd(
          stepEnd(reporter, { step, epoch: position, batch: b, images: indices.length, lr, ...result }),
        );
      }
      if (outcome === 'completed') await endOfEpoch(step, epoch + 1);
    }
    await callbacks.onEnd({ outcome, step, epoch: step / stepsPerEpoch });
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
