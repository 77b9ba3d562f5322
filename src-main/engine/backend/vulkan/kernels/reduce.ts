import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK } from '../pipelines';
import type { VulkanBackend } from '../backend';
import type { VulkanKernel } from './kernel';
import { reduceRows, ReduceOp } from './reduce-rows';
import { transpose } from './strided-copy';
import { runUnary, UnaryOp } from './unary';

/** Each reduction's op, and its kernel's name for its axes. */
const reductions: [string, number, 'axis' | 'reductionIndices'][] = [
  [tf.Sum, ReduceOp.sum, 'axis'],
  [tf.Max, ReduceOp.max, 'reductionIndices'],
  [tf.Min, ReduceOp.min, 'axis'],
  [tf.Mean, ReduceOp.mean, 'axis'],
];

/**
 * A float32 reduction of `x` over `axes`: the reduced axes are moved innermost (a transpose where they
 * are not already), then each output element is one workgroup's tree reduction over its row.
 */
function reduce(
  backend: VulkanBackend,
  op: number,
  x: tf.TensorInfo,
  axes: number[],
  keepDims: boolean,
): tf.TensorInfo {
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
}

const axesOf = (x: tf.TensorInfo, attrs: tf.NamedAttrMap, name: 'axis' | 'reductionIndices'): number[] =>
  tf.util.parseAxisParam(attrs[name] as number | number[], x.shape);

/** float32 reductions over any axes. */
const floatReductions: VulkanKernel[] = reductions.map(([kernelName, op, axisAttr]) => ({
  kernelName,
  run({ inputs, attrs, backend }) {
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || x.shape.length > MAX_RANK) return null;
    return reduce(backend, op, x, axesOf(x, attrs, axisAttr), Boolean(attrs['keepDims']));
  },
}));

/**
 * tf.any and tf.all of bools (a top-5 hit of the linear probe) as the max and the min of their 0s and 1s.
 * An empty reduction (false for any, true for all) falls back to the cpu.
 */
const logicalReductions: VulkanKernel[] = (
  [
    [tf.Any, ReduceOp.max],
    [tf.All, ReduceOp.min],
  ] as const
).map(([kernelName, op]) => ({
  kernelName,
  run({ inputs, attrs, backend }) {
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'bool' || x.shape.length > MAX_RANK) return null;
    const axes = axesOf(x, attrs, 'axis');
    if (axes.some((axis) => x.shape[axis] === 0)) return null;
    const values = runUnary(backend, UnaryOp.intToFloat, x, x.shape, 'float32');
    const reduced = reduce(backend, op, values, axes, Boolean(attrs['keepDims']));
    const out = runUnary(backend, UnaryOp.floatToBool, reduced, reduced.shape, 'bool');
    backend.disposeIntermediateTensorInfo(values);
    backend.disposeIntermediateTensorInfo(reduced);
    return out;
  },
}));

export const reduceKernels: VulkanKernel[] = [...floatReductions, ...logicalReductions];
