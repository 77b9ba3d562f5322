import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { getMethod, resolveConfig, type RunConfig } from '../../engine/methods';
import type { MethodDefinition } from '../../engine/methods/method';
import { backboneInfo, type BackboneId } from '../../engine/nn/backbones';

/** The repository root (this file is src-main/cli/bench/common.ts). */
export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** The CIFAR-10 subset shared by the workplace, in the official binary format. */
export const defaultCifarDir = path.resolve(repoRoot, '../shared/data/cifar10-subset/cifar-10-batches-bin');

/** What every bench mode is told about the model it trains. */
export interface BenchModel {
  method: string;
  /** Default: the method's own (quality) or resnet18 (step and train benches). */
  backbone?: BackboneId;
  /** Default: the method's own, or the backbone's default width when the backbone is given. */
  width?: number;
  batchSize?: number;
  /** Any config field of the method (`--set key=value`). */
  set?: Record<string, unknown>;
}

/**
 * The run config of a step or train bench. For SimCLR on the ConvNet or ResNet-18 the projection
 * head's hidden width is 2 × the feature size unless set, as in the PyTorch yardstick's head.
 */
export function benchConfig(model: BenchModel): { method: MethodDefinition; config: RunConfig } {
  const method = getMethod(model.method);
  const input: Record<string, unknown> = {};
  if (model.backbone !== undefined) input.backbone = model.backbone;
  const backbone = (model.backbone ?? resolveConfig(method, {}).backbone) as BackboneId;
  if (model.width !== undefined) input.width = model.width;
  else if (model.backbone !== undefined) input.width = backboneInfo[backbone].defaultWidth;
  if (model.batchSize !== undefined) input.batchSize = model.batchSize;
  Object.assign(input, model.set ?? {});
  let config = resolveConfig(method, input);
  const set = model.set ?? {};
  if (method.id === 'simclr' && !('projectionHiddenDim' in set) && backbone !== 'vit_tiny') {
    // ConvNet and ResNet-18 both end in 8 × width features.
    config = resolveConfig(method, { ...input, projectionHiddenDim: 16 * config.width });
  }
  return { method, config };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Live tensor counts after each step: a leak shows as growth. */
export interface TensorTrace {
  /** tf.memory().numTensors after each step, warm-up steps included. */
  perStep: number[];
  /** Whether the count is the same after every step. */
  constant: boolean;
  /** Tensors gained per step from the first sample to the last (0 when constant). */
  growthPerStep: number;
}

export function tensorTrace(perStep: number[]): TensorTrace {
  const first = perStep[0] ?? 0;
  const last = perStep.at(-1) ?? 0;
  return {
    perStep,
    constant: perStep.every((n) => n === first),
    growthPerStep: perStep.length > 1 ? (last - first) / (perStep.length - 1) : 0,
  };
}

export interface MemoryReport {
  /** Peak resident set size of this process so far (process.resourceUsage().maxRSS). */
  peakRssBytes: number;
  /** Largest tf.memory().numBytes seen between steps (the live tensors: weights, optimiser state, …). */
  tfLiveBytes: number;
  /** Largest tf.memory().numBytes within one profiled step (activations and gradients included), if measured. */
  tfPeakStepBytes: number | null;
  /** Size of the wasm backend's heap, which only grows, when the backend is wasm. */
  wasmHeapBytes: number | null;
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.byteLength ?? null;
}

/** Follows live tensors and bytes between steps. */
export class StepSampler {
  readonly counts: number[] = [];
  private maxBytes = 0;

  sample(): void {
    const m = tf.memory();
    this.counts.push(m.numTensors);
    this.maxBytes = Math.max(this.maxBytes, m.numBytes);
  }

  memory(tfPeakStepBytes: number | null = null): MemoryReport {
    return {
      peakRssBytes: peakRssBytes(),
      tfLiveBytes: this.maxBytes,
      tfPeakStepBytes,
      wasmHeapBytes: wasmHeapBytes(),
    };
  }
}

/**
 * The throughput of a train() run from its `images_per_s` metric points: each point covers the steps
 * since the previous one, so the run's rate is total images over the summed window times. The windows
 * never include the kNN evaluation before the first step; with more than one epoch, the first window of
 * each later epoch includes the previous epoch's evaluation.
 */
export function rateFromMetrics(
  points: { step: number; value: number }[],
  imagesPerStep: number,
): number | null {
  let images = 0;
  let seconds = 0;
  let previous = 0;
  for (const p of points) {
    const windowImages = (p.step - previous) * imagesPerStep;
    if (p.value > 0 && windowImages > 0) {
      images += windowImages;
      seconds += windowImages / p.value;
    }
    previous = p.step;
  }
  return seconds > 0 ? images / seconds : null;
}
