import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import { wordTypes, type VulkanKernel } from './kernel';
import { transpose } from './strided-copy';

/**
 * tf.gather along one axis (a memory bank's or a queue's rows) and arg max over one axis (a label from
 * a similarity row). Gather with batch dimensions falls back to the cpu.
 */
export const gatherKernels: VulkanKernel[] = [
  {
    kernelName: tf.GatherV2,
    run({ inputs, attrs, backend }) {
      const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
      if (!wordTypes.has(x.dtype) || indices.dtype !== 'int32' || (batchDims ?? 0) !== 0) return null;
      const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
      const shape = [...x.shape.slice(0, $axis), ...indices.shape, ...x.shape.slice($axis + 1)];
      const out = backend.makeOutput(shape, x.dtype);
      const n = tf.util.sizeFromShape(shape);
      if (n === 0) return out;
      const count = tf.util.sizeFromShape(indices.shape);
      const inner = tf.util.sizeFromShape(x.shape.slice($axis + 1));
      const push = Uint32Array.from([n, count, x.shape[$axis]!, inner]);
      const buffers = [backend.bufferOf(x), backend.bufferOf(indices), backend.bufferOf(out)];
      backend.shaders.run('gather', buffers, push, Shaders.elementGroups(n));
      return out;
    },
  },
  {
    kernelName: tf.ArgMax,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { axis } = attrs as unknown as tf.ArgMaxAttrs;
      if (x.dtype !== 'float32') return null;
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const perm = tf.backend_util.getAxesPermutation(axes, x.shape.length);
      const inner = perm ? transpose(backend, x, perm) : x;
      const [outShape, reduceShape] = tf.backend_util.computeOutAndReduceShapes(
        inner.shape,
        perm ? tf.backend_util.getInnerMostAxes(axes.length, x.shape.length) : axes,
      );
      const rows = tf.util.sizeFromShape(outShape);
      const length = tf.util.sizeFromShape(reduceShape);
      const out = backend.makeOutput(outShape, 'int32');
      if (rows > 0 && length > 0) {
        const buffers = [backend.bufferOf(inner), backend.bufferOf(out)];
        backend.shaders.run('argMax', buffers, Uint32Array.from([rows, length]), Shaders.elementGroups(rows));
      }
      if (perm) backend.disposeIntermediateTensorInfo(inner);
      return out;
    },
  },
];
