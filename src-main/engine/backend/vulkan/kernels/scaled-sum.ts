import * as tf from '@tensorflow/tfjs-core';

import { ScaledSum, type ScaledSumAttrs } from '../../kernels/scaled-sum';
import { Shaders } from '../pipelines';
import { pushConstants, type VulkanKernel } from './kernel';

/** a·α + b·β in one dispatch (shaders/scaled-sum.comp). */
export const scaledSumKernel: VulkanKernel = {
  kernelName: ScaledSum,
  run({ inputs, attrs, backend }) {
    const { a, b } = inputs as Record<'a' | 'b', tf.TensorInfo>;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !tf.util.arraysEqual(a.shape, b.shape)) return null;
    const { alpha, beta } = attrs as unknown as ScaledSumAttrs;
    const n = tf.util.sizeFromShape(a.shape);
    const out = backend.makeOutput(a.shape, 'float32');
    if (n === 0) return out;
    backend.shaders.run(
      'scaledSum',
      [a, b, out].map((t) => backend.bufferOf(t)),
      pushConstants([n], [alpha, beta]),
      Shaders.elementGroups(n),
    );
    return out;
  },
};
