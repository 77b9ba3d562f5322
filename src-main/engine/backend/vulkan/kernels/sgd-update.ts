import * as tf from '@tensorflow/tfjs-core';

import { SgdUpdate, type SgdUpdateAttrs } from '../../kernels/sgd-update';
import { Shaders } from '../pipelines';
import { pushConstants, type VulkanKernel } from './kernel';

/** One SGD step of one parameter in one dispatch (shaders/sgd-update.comp). */
export const sgdUpdateKernel: VulkanKernel = {
  kernelName: SgdUpdate,
  run({ inputs, attrs, backend }) {
    const { w, v, g } = inputs as Record<'w' | 'v' | 'g', tf.TensorInfo>;
    if ([w, v, g].some((t) => t.dtype !== 'float32')) return null;
    const { lr, momentum, weightDecay, nesterov } = attrs as unknown as SgdUpdateAttrs;
    const n = tf.util.sizeFromShape(w.shape);
    const wNext = backend.makeOutput(w.shape, 'float32');
    const vNext = backend.makeOutput(w.shape, 'float32');
    if (n === 0) return [wNext, vNext];
    backend.shaders.run(
      'sgdUpdate',
      [w, v, g, wNext, vNext].map((t) => backend.bufferOf(t)),
      pushConstants([n, nesterov ? 1 : 0], [lr, momentum, weightDecay]),
      Shaders.elementGroups(n),
    );
    return [wNext, vNext];
  },
};
