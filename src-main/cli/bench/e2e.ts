import * as tf from '@tensorflow/tfjs-core';
import { train, type TrainReporter } from '../../engine/runner/train';
import type { BackendPreference, DatasetId, DatasetSpec } from '../../domain';
import { resolveConfig, type RunConfig } from '../../engine/methods';
import type { MethodDefinition } from '../../engine/methods/method';
import {
  benchConfig,
  defaultCifarDir,
  rateFromMetrics,
  StepSampler,
  tensorTrace,
  type BenchModel,
  type MemoryReport,
  type TensorTrace,
} from './common';

/** The dataset of a bench run: default the CIFAR-10 subset in ../shared. */
export interface RunData extends Omit<DatasetSpec, 'id'> {
  dataset?: DatasetId;
}

/** The dataset a bench run trains on. */
export function benchDataset(data: RunData): DatasetSpec {
  const { dataset: id = 'cifar10', ...rest } = data;
  return { id, ...rest, ...(id === 'cifar10' && !rest.dataDir ? { dataDir: defaultCifarDir } : {}) };
}

/** What one in-process train() run reported, reduced to what the benches print. */
export interface RunRecord {
  method: string;
  backbone: string;
  width: number;
  batchSize: number;
  epochs: number;
  viewsPerImage: number;
  backend: string | null;
  device: string | null;
  outcome: 'completed' | 'stopped' | 'failed';
  error: string | null;
  steps: number;
  /** Images per second from the run's own `images_per_s` metric (kNN evaluation excluded). */
  imagesPerSecond: number | null;
  /** The same from step timestamps, leaving out the first step of the run and of each epoch. */
  imagesPerSecondSteady: number | null;
  knnStart: number | null;
  knnEnd: number | null;
  lossFirst: number | null;
  lossLast: number | null;
  /** Seconds from the first step's start to the last step's end, and of the whole run. */
  trainSeconds: number | null;
  wallSeconds: number;
  memory: MemoryReport;
  tensors: TensorTrace;
}

export interface RunHooks {
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

/**
 * Trains one run in this process with the real training loop on CIFAR-10 (loading, augmentation,
 * the kNN monitor and all), listening to what it reports.
 */
export async function recordRun(
  method: MethodDefinition,
  config: RunConfig,
  data: RunData,
  backend: BackendPreference,
  hooks: RunHooks = {},
): Promise<RunRecord> {
  const log = hooks.log ?? (() => {});
  const plan = method.viewPlan(config, data.imageSize ?? 32);
  const viewsPerImage = plan.global.length + plan.local.length;
  const knn: { step: number; value: number }[] = [];
  const rates: { step: number; value: number }[] = [];
  const losses: number[] = [];
  const stepEnds: number[] = [];
  /** Whether each step was the first of its epoch (after an evaluation, which steady leaves out). */
  const epochStarts: boolean[] = [];
  const sampler = new StepSampler();
  let firstStepStart: number | null = null;
  let backendName: string | null = null;
  let device: string | null = null;
  // train() caps the batch at the training split's size.
  const batchSize = Math.min(config.batchSize, data.trainSize ?? Infinity);

  const reporter: TrainReporter = {
    started(name, dev) {
      backendName = name;
      device = dev;
    },
    metric(step, _epoch, key, value) {
      if (key === 'knn_top1') {
        knn.push({ step, value });
        // The loop's first step starts right after the step-0 evaluation.
        if (step === 0) firstStepStart = performance.now();
      } else if (key === 'images_per_s') rates.push({ step, value });
      else if (key === 'loss') losses.push(value);
    },
    progress(p) {
      // A step's report; the loop also reports when it starts evaluating, probing or saving, and then the
      // probe holds the last evaluation's features: those are not steps.
      if (p.phase !== 'training') return;
      stepEnds.push(performance.now());
      epochStarts.push((p.step - 1) % Math.max(1, Math.round(p.totalSteps / p.epochs)) === 0);
      sampler.sample();
      if (p.step === 1 && firstStepStart === null) firstStepStart = performance.now();
    },
    log(level, message) {
      log(level === 'info' ? message : `${level}: ${message}`);
    },
  };

  const started = performance.now();
  let outcome: RunRecord['outcome'] = 'failed';
  let error: string | null = null;
  try {
    outcome = await train(
      {
        runId: 0,
        method: method.id,
        dataset: benchDataset(data),
        backend,
        config,
      },
      reporter,
      hooks.shouldStop ?? (() => false),
    );
  } catch (e) {
    error = (e as Error).message.split('\n')[0] ?? String(e);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const imagesPerStep = batchSize * viewsPerImage;
  const steady = steadyRate(stepEnds, epochStarts, imagesPerStep);
  return {
    method: method.id,
    backbone: config.backbone,
    width: config.width,
    batchSize,
    epochs: config.epochs,
    viewsPerImage,
    backend: backendName,
    device,
    outcome,
    error,
    steps: stepEnds.length,
    imagesPerSecond: rateFromMetrics(rates, imagesPerStep),
    imagesPerSecondSteady: steady,
    knnStart: knn.find((k) => k.step === 0)?.value ?? null,
    knnEnd: knn.length > 1 ? knn.at(-1)!.value : null,
    lossFirst: losses[0] ?? null,
    lossLast: losses.at(-1) ?? null,
    trainSeconds:
      firstStepStart !== null && stepEnds.length ? (stepEnds.at(-1)! - firstStepStart) / 1000 : null,
    wallSeconds,
    memory: sampler.memory(),
    tensors: tensorTrace(sampler.counts),
  };
}

export interface TrainBenchOptions extends BenchModel, RunData, RunHooks {
  epochs?: number;
  backend?: BackendPreference;
}

/**
 * The end-to-end bench: a real train() of the same method, backbone, width and batch as the step
 * bench, on the CIFAR-10 subset, one epoch by default.
 */
export async function benchTrain(options: TrainBenchOptions): Promise<RunRecord> {
  const { method, config: base } = benchConfig(options);
  const config = resolveConfig(method, { ...base, epochs: options.epochs ?? 1 });
  const before = tf.memory().numTensors;
  const record = await recordRun(method, config, options, options.backend ?? 'auto', options);
  if (record.error === null && tf.memory().numTensors !== before) {
    options.log?.(`note: ${tf.memory().numTensors - before} tensors outlived the run`);
  }
  return record;
}

/**
 * Images per second from step end times (ms), over the step-to-step intervals within an epoch: the run's
 * first step (set-up) and each epoch's first step (the evaluation before it) are left out.
 */
export function steadyRate(stepEnds: number[], epochStarts: boolean[], imagesPerStep: number): number | null {
  let ms = 0;
  let steps = 0;
  for (let k = 1; k < stepEnds.length; k++) {
    if (epochStarts[k]) continue;
    ms += stepEnds[k]! - stepEnds[k - 1]!;
    steps++;
  }
  return steps > 0 ? (steps * imagesPerStep * 1000) / ms : null;
}
