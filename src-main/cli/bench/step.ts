import * as tf from '@tensorflow/tfjs-core';
import type { BackendPreference } from '../../domain';
import { initBackend } from '../../engine/backend';
import {
  countFallbacks,
  timeVulkanShaders,
  type FallbackCount,
  vulkanDevice,
  type ShaderTime,
  type VulkanStats,
} from '../../engine/backend/vulkan';
import { optimizationStep } from '../../engine/runner/step';
import { optimizerSettings } from '../../engine/methods/config';
import type { StepContext, TrainBatch } from '../../engine/methods/method';
import { createOptimizer } from '../../engine/nn/optimizers';
import { Rng } from '../../engine/util/rng';
import {
  benchConfig,
  mean,
  median,
  StepSampler,
  tensorTrace,
  type BenchModel,
  type MemoryReport,
  type TensorTrace,
} from './common';

export interface StepBenchOptions extends BenchModel {
  /** Timed steps (default 5). */
  steps?: number;
  /** Untimed steps before them: kernel set-up, XNNPACK operators, heap growth (default 1). */
  warmup?: number;
  backend?: BackendPreference;
  /** How many kernels to list by time from one profiled step (0: none). */
  profileTop?: number;
  /** Called with a line of progress (for stderr). */
  log?: (line: string) => void;
}

export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

export interface StepBenchResult {
  mode: 'step';
  method: string;
  backbone: string;
  width: number;
  batchSize: number;
  /** Views per image the method's step receives (2 for SimCLR; multi-crop methods more). */
  viewsPerImage: number;
  /** Images through the network per step: batch size × views. */
  imagesPerStep: number;
  /** Trainable parameters (encoder, heads, predictors) and the encoder's alone. */
  parameters: number;
  encoderParameters: number;
  optimizer: string;
  backend: string;
  device: string;
  /** The backend ran on a GPU: `--compare-torch` then times PyTorch on CUDA where it can. */
  gpu: boolean;
  warmup: number;
  steps: number;
  stepMs: { median: number; mean: number; min: number; max: number; all: number[] };
  /** Images per second over the timed steps (mean step time), both views counted, as the PyTorch script. */
  imagesPerSecond: number;
  /** The same at the median step time (less sensitive to a colleague's burst of load). */
  imagesPerSecondMedian: number;
  lossFinite: boolean;
  memory: MemoryReport;
  tensors: TensorTrace;
  /** Slowest kernels of one profiled step (nested kernels count in both caller and callee). */
  kernels?: KernelTime[];
  /** On the vulkan backend: the kernels of one step that have no shader yet and ran on the cpu. */
  cpuKernels?: FallbackCount[];
  /** On the vulkan backend: its device memory after the warm-up and after the timed steps, and what a
   * timed step records and submits on average. */
  vulkan?: {
    blockBytesAfterWarmup: number;
    blockBytes: number;
    blocks: number;
    dispatchesPerStep: number;
    submitsPerStep: number;
    stagedReadsPerStep: number;
  };
  /** On the vulkan backend with a profile: each shader's GPU time in the profiled step (timestamps). */
  gpuShaders?: ShaderTime[];
}

/**
 * Times full training steps of a method: the method's own step under tf.variableGrads, the project's
 * optimiser update and the method's after-step updates (momentum encoders, queues, banks), on fixed
 * random input views shaped as the method's view plan asks, after warm-up steps. As train() does,
 * minus data loading and augmentation (the train bench measures those).
 */
export async function benchSteps(options: StepBenchOptions): Promise<StepBenchResult> {
  const steps = options.steps ?? 5;
  const warmup = options.warmup ?? 1;
  if (!(steps >= 1)) throw new Error('the step bench needs at least one timed step');
  const log = options.log ?? (() => {});
  const info = await initBackend(options.backend ?? 'auto');
  const { method, config } = benchConfig(options);
  const imageSize = 32;
  const channels = 3;
  const n = config.batchSize;
  // Memory banks are sized for the CIFAR-10 subset's 10000 training images.
  const trainSize = Math.max(n, 10000);
  const rng = new Rng(config.seed);
  const instance = method.create(config, {
    rng: rng.fork(),
    imageSize,
    channels,
    trainSize,
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
  });
  const plan = method.viewPlan(config, imageSize);
  const params = instance.trainableParameters();
  const optimizer = createOptimizer(params, optimizerSettings(config));
  const augs = [...plan.global, ...plan.local];
  const views = augs.map(
    (aug, i) =>
      tf.randomNormal(
        [n, aug.outputSize, aug.outputSize, channels],
        0,
        1,
        'float32',
        config.seed + i,
      ) as tf.Tensor4D,
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const lr = (config.lr * n) / 256;
  const totalSteps = warmup + steps + 1;
  const imagesPerStep = n * augs.length;
  const sampler = new StepSampler();
  const parameters = params.reduce((s, [, v]) => s + v.size, 0);
  const encoderParameters = instance.encoder.parameterCount();
  let lossFinite = true;

  const runStep = async (step: number) => {
    const ctx: StepContext = { step, totalSteps, epoch: 0, stepsPerEpoch: totalSteps };
    // Consecutive slices of the training split, as an epoch's batches would be (memory banks use them).
    const indices = Int32Array.from({ length: n }, (_, i) => (step * n + i) % trainSize);
    const batch: TrainBatch = { views, indices, labels };
    const { loss } = await optimizationStep(instance, optimizer, params, batch, ctx, { lr, peakLr: lr });
    if (!Number.isFinite(loss)) lossFinite = false;
  };

  const times: number[] = [];
  let kernels: KernelTime[] | undefined;
  let cpuKernels: FallbackCount[] | undefined;
  let gpuShaders: ShaderTime[] | undefined;
  const device = info.name === 'vulkan' ? vulkanDevice() : null;
  const deviceStats = (): VulkanStats | null => (device?.addon ? device.addon.stats() : null);
  let afterWarmup: VulkanStats | null = null;
  let afterTimed: VulkanStats | null = null;
  let peakStepBytes: number | null = null;
  try {
    log(
      `bench: ${method.title}, ${config.backbone} width ${config.width}, batch ${n} (${imagesPerStep} images/step), ` +
        `${warmup} warm-up + ${steps} timed steps, backend ${info.name} (${info.device})`,
    );
    let step = 0;
    for (let i = 0; i < warmup; i++, step++) {
      const t0 = performance.now();
      await runStep(step);
      sampler.sample();
      log(`  warm-up ${i + 1}/${warmup}: ${(performance.now() - t0).toFixed(0)} ms`);
    }
    afterWarmup = deviceStats();
    for (let i = 0; i < steps; i++, step++) {
      const t0 = performance.now();
      await runStep(step);
      const ms = performance.now() - t0;
      times.push(ms);
      sampler.sample();
      log(`  step ${i + 1}/${steps}: ${ms.toFixed(0)} ms`);
    }
    afterTimed = deviceStats();
    // One more, untimed, under tf.profile: the peak of live tensor bytes inside a step, and per-kernel times.
    const fallbacks = countFallbacks();
    const timeOnGpu = info.name === 'vulkan' && Boolean(options.profileTop);
    const profile = await tf.profile(async () => {
      if (timeOnGpu) gpuShaders = await timeVulkanShaders(() => runStep(step));
      else await runStep(step);
    });
    sampler.sample();
    if (info.name === 'vulkan') cpuKernels = fallbacks();
    peakStepBytes = profile.peakBytes;
    if (options.profileTop) kernels = topKernels(profile.kernels, options.profileTop);
  } finally {
    tf.dispose(views);
    optimizer.dispose();
    instance.dispose();
  }

  const meanMs = mean(times);
  const medianMs = median(times);
  return {
    mode: 'step',
    method: method.id,
    backbone: config.backbone,
    width: config.width,
    batchSize: n,
    viewsPerImage: augs.length,
    imagesPerStep,
    parameters,
    encoderParameters,
    optimizer: config.optimizer,
    backend: info.name,
    device: info.device,
    gpu: info.gpu,
    warmup,
    steps,
    stepMs: { median: medianMs, mean: meanMs, min: Math.min(...times), max: Math.max(...times), all: times },
    imagesPerSecond: (imagesPerStep * 1000) / meanMs,
    imagesPerSecondMedian: (imagesPerStep * 1000) / medianMs,
    lossFinite,
    memory: sampler.memory(peakStepBytes),
    // From the end of the last warm-up step on: a method may create state lazily in its first step.
    tensors: tensorTrace(sampler.counts.slice(Math.max(0, warmup - 1))),
    ...(kernels ? { kernels } : {}),
    ...(cpuKernels ? { cpuKernels } : {}),
    ...(afterWarmup && afterTimed
      ? {
          vulkan: {
            blockBytesAfterWarmup: afterWarmup.blockBytes,
            blockBytes: afterTimed.blockBytes,
            blocks: afterTimed.blocks,
            dispatchesPerStep: (afterTimed.dispatches - afterWarmup.dispatches) / steps,
            submitsPerStep: (afterTimed.submits - afterWarmup.submits) / steps,
            stagedReadsPerStep: (afterTimed.stagedReads - afterWarmup.stagedReads) / steps,
          },
        }
      : {}),
    ...(gpuShaders ? { gpuShaders } : {}),
  };
}

function topKernels(profiled: { name: string; kernelTimeMs: unknown }[], top: number): KernelTime[] {
  const byName = new Map<string, KernelTime>();
  for (const k of profiled) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byName.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls++;
    byName.set(k.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
}
