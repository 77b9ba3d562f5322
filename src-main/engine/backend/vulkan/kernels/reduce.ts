import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK } from '../pipelines';
import type { VulkanKernel } from './kernel';
import { reduceRows, ReduceOp } from './reduce-rows';
import { transpose } from './strided-copy';

/** Each reduction's op, and its kernel's name for its axes. */
const reductions: [string, number, 'axis' | 'reductionIndices'][] = [
  [tf.Sum, ReduceOp.sum, 'axis'],
  [tf.Max, ReduceOp.max, 'reductionIndices'],
  [tf.Min, ReduceOp.min, 'axis'],
  [tf.Mean, ReduceOp.mean, 'axis'],
];

/**
 * float32 reductions over any axes: the reduced axes are moved innermost (a transpose where they are
 * not already), then each output element is one workgroup's tree reduction over its row.
 */
export const reduceKernels: VulkanKernel[] = reductions.map(([kernelName, op, axisAttr]) => ({
  kernelName,
  run({ inputs, attrs, backend }) {
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || x.shape.length > MAX_RANK) return null;
    const keepDims = Boolean(attrs['keepDims']);
    const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    const perm = tf.backend_util.getAxesPermutation(axes, x.shape.length);
    const inner = perm ? transpose(backend, x, perm) : x;
    const innerAxes = perm ? tf.backend_util.getInnerMostAxes(axes.length, x.shape.length) : axes;
    const [outShape, reduceShape] = tf.backend_util.computeOutAndReduceShapes(inner.shape, innerAxes);
    const rows = tf.util.sizeFromShape(outShape);
    const length = tf.util.sizeFromShape(reduceShape);
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = backend.makeOutput(shape, 'float32');
    if (rows > 0) reduceRows(backend, op, backend.bufferOf(inner), backend.bufferOf(out), rows, length);
    if (perm) backend.disposeIntermediateTensorInfo(inner);
    return out;
  },
}));
