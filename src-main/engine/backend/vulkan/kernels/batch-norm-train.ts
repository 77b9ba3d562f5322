import * as tf from '@tensorflow/tfjs-core';

import {
  BatchNormReluTrain,
  BatchNormTrain,
  BatchNormTrainGrad,
  type BatchNormTrainAttrs,
  type BatchNormTrainGradAttrs,
} from '../../kernels/batch-norm-train';
import type { VulkanBackend } from '../backend';
import { Shaders } from '../pipelines';
import type { VulkanKernel } from './kernel';

/**
 * The batch-norm training kernels (../../kernels/batch-norm-train.ts has the formulas and the cpu and
 * wasm versions) in three dispatches each way: per-channel partial sums over chunks of rows, the
 * per-channel values from them, and one element-wise pass. Composed of tfjs ops instead (moments,
 * batchNorm, the ReLU and all their gradients), a ResNet-18 step made about a thousand more dispatches.
 * The sums are float32, shifted by each channel's first value forward and compensated across chunks;
 * the cpu's are float64.
 */

/** A chunk of the sums pass has at least this many rows, and a channel at most this many chunks. */
const MIN_CHUNK_ROWS = 64;
const MAX_CHUNKS = 1024;
/** batch-norm-sums.comp's modes and workgroup width in channels. */
const SumsMode = { forward: 0, backward: 1, backwardRelu: 2 } as const;
const CHANNEL_BLOCK = 32;

/** x as [rows, channels], channels innermost; null where the shaders do not apply. */
function rowsAndChannels(x: tf.TensorInfo): { rows: number; channels: number } | null {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const size = tf.util.sizeFromShape(x.shape);
  if (channels === 0 || size === 0) return null;
  return { rows: size / channels, channels };
}

/**
 * Records the sums pass over `sums` ([x, dy, y, mean] buffers) and the coefficients pass, which writes
 * `out1`, `out2` and the `coefficients` (see batch-norm-coefficients.comp for each mode's values).
 */
function channelPasses(
  backend: VulkanBackend,
  size: { rows: number; channels: number },
  sumsMode: number,
  sums: readonly [number, number, number, number],
  values: { x: number; gamma: number; second: number; out1: number; out2: number; coefficients: number },
  epsilon: number,
): void {
  const { rows, channels } = size;
  const rowsPerChunk = Math.max(MIN_CHUNK_ROWS, Math.ceil(rows / MAX_CHUNKS));
  const chunks = Math.ceil(rows / rowsPerChunk);
  const partials = backend.makeOutput([chunks * 2 * channels], 'float32');
  backend.shaders.run(
    'batchNormSums',
    [...sums, backend.bufferOf(partials)],
    Uint32Array.of(rows, channels, rowsPerChunk, sumsMode),
    [Math.ceil(channels / CHANNEL_BLOCK), chunks],
  );
  const push = Uint32Array.of(rows, channels, chunks, sumsMode === SumsMode.forward ? 0 : 1, 0);
  new Float32Array(push.buffer)[4] = epsilon;
  const { x, gamma, second, out1, out2, coefficients } = values;
  backend.shaders.run(
    'batchNormCoefficients',
    [backend.bufferOf(partials), x, gamma, second, out1, out2, coefficients],
    push,
    [Math.ceil(channels / 64)],
  );
  backend.disposeIntermediateTensorInfo(partials);
}

function forwardKernel(kernelName: string, relu: boolean): VulkanKernel {
  return {
    kernelName,
    run({ inputs, attrs, backend }) {
      const { x, gamma, beta, residual } = inputs as Record<string, tf.TensorInfo | undefined>;
      if (!x || !gamma || !beta) return null;
      if ([x, gamma, beta, residual].some((t) => t && t.dtype !== 'float32')) return null;
      const size = rowsAndChannels(x);
      if (!size) return null;
      const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
      const { channels } = size;
      const y = backend.makeOutput(x.shape, 'float32');
      const mean = backend.makeOutput([channels], 'float32');
      const variance = backend.makeOutput([channels], 'float32');
      const coefficients = backend.makeOutput([3 * channels], 'float32');
      const xb = backend.bufferOf(x);
      channelPasses(
        backend,
        size,
        SumsMode.forward,
        [xb, xb, xb, xb],
        {
          x: xb,
          gamma: backend.bufferOf(gamma),
          second: backend.bufferOf(beta),
          out1: backend.bufferOf(mean),
          out2: backend.bufferOf(variance),
          coefficients: backend.bufferOf(coefficients),
        },
        epsilon,
      );
      // The cpu kernel adds the residual only under the ReLU; so does this one.
      const mode = !relu ? 0 : residual ? 2 : 1;
      const n = tf.util.sizeFromShape(x.shape);
      backend.shaders.run(
        'batchNormNormalize',
        [xb, backend.bufferOf(coefficients), backend.bufferOf(residual ?? x), backend.bufferOf(y)],
        Uint32Array.of(n, channels, mode),
        Shaders.elementGroups(n),
      );
      backend.disposeIntermediateTensorInfo(coefficients);
      return [y, mean, variance];
    },
  };
}

const gradKernel: VulkanKernel = {
  kernelName: BatchNormTrainGrad,
  run({ inputs, attrs, backend }) {
    const { dy, x, y, gamma, mean, variance } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { epsilon, relu, residual } = attrs as unknown as BatchNormTrainGradAttrs;
    if (!dy || !x || !gamma || !mean || !variance || (relu && !y)) return null;
    if ([dy, x, y, gamma, mean, variance].some((t) => t && t.dtype !== 'float32')) return null;
    const size = rowsAndChannels(x);
    if (!size) return null;
    const { channels } = size;
    const withResidual = residual && relu;
    const dx = backend.makeOutput(x.shape, 'float32');
    const dGamma = backend.makeOutput([channels], 'float32');
    const dBeta = backend.makeOutput([channels], 'float32');
    const dResidual = withResidual ? backend.makeOutput(x.shape, 'float32') : null;
    const coefficients = backend.makeOutput([3 * channels], 'float32');
    const dyb = backend.bufferOf(dy);
    const xb = backend.bufferOf(x);
    const meanb = backend.bufferOf(mean);
    // Without the ReLU, x stands in for y, which the shaders then do not read.
    const yb = backend.bufferOf(relu ? y! : x);
    channelPasses(
      backend,
      size,
      relu ? SumsMode.backwardRelu : SumsMode.backward,
      [xb, dyb, yb, meanb],
      {
        x: xb,
        gamma: backend.bufferOf(gamma),
        second: backend.bufferOf(variance),
        out1: backend.bufferOf(dGamma),
        out2: backend.bufferOf(dBeta),
        coefficients: backend.bufferOf(coefficients),
      },
      epsilon,
    );
    const n = tf.util.sizeFromShape(x.shape);
    const dxb = backend.bufferOf(dx);
    backend.shaders.run(
      'batchNormInputGrad',
      [
        dyb,
        xb,
        yb,
        meanb,
        backend.bufferOf(coefficients),
        dxb,
        dResidual ? backend.bufferOf(dResidual) : dxb,
      ],
      Uint32Array.of(n, channels, (relu ? 1 : 0) | (withResidual ? 2 : 0)),
      Shaders.elementGroups(n),
    );
    backend.disposeIntermediateTensorInfo(coefficients);
    return dResidual ? [dx, dGamma, dBeta, dResidual] : [dx, dGamma, dBeta];
  },
};

export const batchNormTrainKernels: readonly VulkanKernel[] = [
  forwardKernel(BatchNormTrain, false),
  forwardKernel(BatchNormReluTrain, true),
  gradKernel,
];
