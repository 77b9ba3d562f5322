import * as tf from '@tensorflow/tfjs-core';

import { EmaUpdate, type EmaUpdateAttrs } from '../../kernels/ema-update';
import { Shaders } from '../pipelines';
import { pushConstants, type VulkanKernel } from './kernel';

/** A momentum (EMA) update of one target tensor in one dispatch (shaders/ema-update.comp). */
export const emaUpdateKernel: VulkanKernel = {
  kernelName: EmaUpdate,
  run({ inputs, attrs, backend }) {
    const { target, online } = inputs as Record<'target' | 'online', tf.TensorInfo>;
    if (target.dtype !== 'float32' || online.dtype !== 'float32') return null;
    const { rate } = attrs as unknown as EmaUpdateAttrs;
    const n = tf.util.sizeFromShape(target.shape);
    const out = backend.makeOutput(target.shape, 'float32');
    if (n === 0) return out;
    backend.shaders.run(
      'emaUpdate',
      [target, online, out].map((t) => backend.bufferOf(t)),
      pushConstants([n], [rate]),
      Shaders.elementGroups(n),
    );
    return out;
  },
};
