import * as tf from '@tensorflow/tfjs-core';

import { AdamWUpdate, type AdamWUpdateAttrs } from '../../kernels/adamw-update';
import { Shaders } from '../pipelines';
import { pushConstants, type VulkanKernel } from './kernel';

/** One AdamW step of one parameter in one dispatch (shaders/adamw-update.comp). */
export const adamWUpdateKernel: VulkanKernel = {
  kernelName: AdamWUpdate,
  run({ inputs, attrs, backend }) {
    const { w, m, v, g } = inputs as Record<'w' | 'm' | 'v' | 'g', tf.TensorInfo>;
    if ([w, m, v, g].some((t) => t.dtype !== 'float32')) return null;
    const a = attrs as unknown as AdamWUpdateAttrs;
    const n = tf.util.sizeFromShape(w.shape);
    const outs = [0, 1, 2].map(() => backend.makeOutput(w.shape, 'float32'));
    if (n === 0) return outs;
    // The factors the tfjs ops take as scalars, computed here in float64 as they are there.
    const floats = [
      a.lr,
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      a.correction1,
      a.correction2,
      a.epsilon,
      1 - a.lr * a.weightDecay,
    ];
    backend.shaders.run(
      'adamwUpdate',
      [w, m, v, g, ...outs].map((t) => backend.bufferOf(t)),
      pushConstants([n], floats),
      Shaders.elementGroups(n),
    );
    return outs;
  },
};
