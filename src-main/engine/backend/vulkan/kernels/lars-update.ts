import * as tf from '@tensorflow/tfjs-core';

import { LarsUpdate, type LarsUpdateAttrs } from '../../kernels/lars-update';
import { Shaders } from '../pipelines';
import { pushConstants, type VulkanKernel } from './kernel';

/** lars-update.comp adds up at most this many partial sums, one per invocation of a workgroup. */
const MAX_CHUNKS = 256;
const MIN_CHUNK = 4096;

/**
 * One LARS step of one weight tensor in two dispatches: the norms' partial sums over chunks
 * (shaders/lars-norms.comp), then the update, each workgroup adding up the partials itself
 * (shaders/lars-update.comp).
 */
export const larsUpdateKernel: VulkanKernel = {
  kernelName: LarsUpdate,
  run({ inputs, attrs, backend }) {
    const { w, v, g } = inputs as Record<'w' | 'v' | 'g', tf.TensorInfo>;
    if ([w, v, g].some((t) => t.dtype !== 'float32')) return null;
    const { lr, momentum, weightDecay, trustCoefficient } = attrs as unknown as LarsUpdateAttrs;
    const n = tf.util.sizeFromShape(w.shape);
    const wNext = backend.makeOutput(w.shape, 'float32');
    const vNext = backend.makeOutput(w.shape, 'float32');
    if (n === 0) return [wNext, vNext];
    const chunk = Math.max(MIN_CHUNK, Math.ceil(n / MAX_CHUNKS));
    const chunks = Math.ceil(n / chunk);
    const partials = backend.makeOutput([2 * chunks], 'float32');
    const [wb, vb, gb, pb] = [w, v, g, partials].map((t) => backend.bufferOf(t)) as [
      number,
      number,
      number,
      number,
    ];
    backend.shaders.run('larsNorms', [wb, gb, pb], pushConstants([n, chunk], [weightDecay]), [chunks]);
    backend.shaders.run(
      'larsUpdate',
      [wb, vb, gb, pb, backend.bufferOf(wNext), backend.bufferOf(vNext)],
      pushConstants([n, chunks], [lr, momentum, weightDecay, trustCoefficient]),
      Shaders.elementGroups(n),
    );
    backend.disposeIntermediateTensorInfo(partials);
    return [wNext, vNext];
  },
};
