import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import type { VulkanKernel } from './kernel';

/** The most values a row's top k can hold in the shader's shared memory. */
const MAX_K = 1024;

/**
 * tf.topk, sorted, along the last axis: the kNN evaluation's nearest neighbours and their votes, so that
 * the evaluation stays on the device. Unsorted requests, other dtypes and k above 1024 run on the cpu.
 */
export const topKKernel: VulkanKernel = {
  kernelName: tf.TopK,
  run({ inputs, attrs, backend }) {
    const { x } = inputs as { x: tf.TensorInfo };
    const { k, sorted } = attrs as unknown as tf.TopKAttrs;
    if (x.dtype !== 'float32' || !sorted || k > MAX_K || x.shape.length === 0) return null;
    const length = x.shape.at(-1)!;
    const rows = tf.util.sizeFromShape(x.shape) / Math.max(length, 1);
    const shape = [...x.shape.slice(0, -1), k];
    const values = backend.makeOutput(shape, 'float32');
    const indices = backend.makeOutput(shape, 'int32');
    if (rows > 0 && k > 0) {
      const sortSize = 2 ** Math.ceil(Math.log2(Math.max(k, 2)));
      const buffers = [x, values, indices].map((t) => backend.bufferOf(t));
      const push = Uint32Array.from([rows, length, k, sortSize]);
      backend.shaders.run('topK', buffers, push, Shaders.rowGroups(rows));
    }
    return [values, indices];
  },
};
