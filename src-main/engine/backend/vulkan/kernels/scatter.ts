import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK, Shaders } from '../pipelines';
import { padded, stridesOf, wordTypes, type VulkanKernel } from './kernel';
import { stridedCopy } from './strided-copy';

/**
 * tf.tensorScatterUpdate (a memory bank's rows replaced after a step): the tensor copied, then the
 * updates written over their slices (each element checks the later updates for its slice: quadratic in
 * the updates, a batch of rows). tf.unsortedSegmentSum with one id per row (the gradient of a gather, as
 * CPC's sampled predictions take): each segment's rows linked into a chain, then summed along it.
 */
export const scatterKernels: VulkanKernel[] = [
  {
    kernelName: tf.TensorScatterUpdate,
    run({ inputs, backend }) {
      const { tensor, indices, updates } = inputs as {
        tensor: tf.TensorInfo;
        indices: tf.TensorInfo;
        updates: tf.TensorInfo;
      };
      if (!wordTypes.has(tensor.dtype) || indices.dtype !== 'int32' || tensor.shape.length > MAX_RANK) {
        return null;
      }
      const { sliceRank, numUpdates, sliceSize, strides, outputSize } = tf.backend_util.calculateShapes(
        updates,
        indices,
        tensor.shape,
      );
      if (sliceRank > MAX_RANK) return null;
      const out = stridedCopy(backend, tensor, tensor.shape, 0, stridesOf(tensor.shape));
      const n = numUpdates * sliceSize;
      if (n === 0 || outputSize === 0) return out;
      const push = Int32Array.from([
        n,
        numUpdates,
        sliceSize,
        sliceRank,
        outputSize / sliceSize,
        ...padded(strides, MAX_RANK),
      ]);
      const buffers = [backend.bufferOf(indices), backend.bufferOf(updates), backend.bufferOf(out)];
      backend.shaders.run('scatterUpdate', buffers, push, Shaders.elementGroups(n));
      return out;
    },
  },
  {
    kernelName: tf.UnsortedSegmentSum,
    run({ inputs, attrs, backend }) {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
      if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1) return null;
      if (x.shape.length === 0 || x.shape[0] === 0 || segmentIds.shape[0] !== x.shape[0]) return null;
      const shape = [numSegments, ...x.shape.slice(1)];
      const out = backend.makeOutput(shape, 'float32');
      const n = tf.util.sizeFromShape(shape);
      if (n === 0) return out;
      const inner = tf.util.sizeFromShape(x.shape.slice(1));
      const rows = x.shape[0]!;
      const links = backend.makeOutput([numSegments + rows], 'int32');
      backend.shaders.run(
        'segmentLinks',
        [backend.bufferOf(segmentIds), backend.bufferOf(links)],
        Uint32Array.from([numSegments, rows]),
        Shaders.elementGroups(numSegments + rows),
      );
      const buffers = [backend.bufferOf(x), backend.bufferOf(links), backend.bufferOf(out)];
      backend.shaders.run(
        'segmentSum',
        buffers,
        Uint32Array.from([n, numSegments, inner]),
        Shaders.elementGroups(n),
      );
      backend.disposeIntermediateTensorInfo(links);
      return out;
    },
  },
];
