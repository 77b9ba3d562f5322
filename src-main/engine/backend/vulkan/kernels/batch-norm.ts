import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import type { VulkanKernel } from './kernel';

/**
 * tfjs's FusedBatchNorm over the last axis, with the statistics given (batch statistics in training,
 * running ones in evaluation); each of mean, variance, offset and scale per channel or one for all.
 */
export const batchNormKernel: VulkanKernel = {
  kernelName: tf.FusedBatchNorm,
  run({ inputs, attrs, backend }) {
    const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const channels = x!.shape[x!.shape.length - 1] ?? 1;
    const operands = [x, mean, variance, offset, scale].filter((t): t is tf.TensorInfo => t !== undefined);
    const sizeOf = (t: tf.TensorInfo | undefined) => (t ? tf.util.sizeFromShape(t.shape) : 0);
    const perChannel = [mean, variance, offset, scale].every(
      (t) => !t || sizeOf(t) === 1 || sizeOf(t) === channels,
    );
    if (!perChannel || operands.some((t) => t.dtype !== 'float32')) return null;
    const out = backend.makeOutput(x!.shape, 'float32');
    const n = tf.util.sizeFromShape(x!.shape);
    if (n === 0) return out;
    const push = new Uint32Array([n, 0, sizeOf(mean), sizeOf(variance), sizeOf(offset), sizeOf(scale)]);
    new Float32Array(push.buffer)[1] = varianceEpsilon;
    // An absent offset or scale binds x in its place; the shader does not read it.
    const buffers = [x!, mean!, variance!, offset ?? x!, scale ?? x!, out].map((t) => backend.bufferOf(t));
    backend.shaders.run('batchNorm', buffers, push, Shaders.elementGroups(n));
    return out;
  },
};
