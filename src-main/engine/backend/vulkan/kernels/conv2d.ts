import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';
import type { VulkanKernel } from './kernel';
import { reduceRows, ReduceOp } from './reduce-rows';
import { transpose } from './strided-copy';

/** The shared push constants of the convolution and pooling shaders (shaders/conv-layout.glsl). */
export function convPush(info: tf.backend_util.Conv2DInfo, slices = 1): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.dilationHeight,
    info.dilationWidth,
    slices,
  ]);
}

function runConv(
  backend: VulkanBackend,
  shader: 'conv2d' | 'conv2dBackpropInput' | 'depthwiseConv2d',
  info: tf.backend_util.Conv2DInfo,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  shape: number[],
): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const n = tf.util.sizeFromShape(shape);
  if (n === 0) return out;
  const buffers = [backend.bufferOf(a), backend.bufferOf(b), backend.bufferOf(out)];
  backend.shaders.run(shader, buffers, convPush(info), Shaders.elementGroups(n));
  return out;
}

/**
 * Invocations the filter gradient aims for; below that the batch is summed in slices. A GPU needs far
 * more threads in flight than a CPU device's few cores: on an H200, 16,384 left a ResNet-18 (w16, batch
 * 512) filter gradient at 372 ms of a step's 764 ms of device time.
 */
const filterGradientInvocations = (backend: VulkanBackend): number =>
  backend.info.type === 'cpu' ? 16384 : 262144;

/** dw in two dispatches: per-slice sums over the batch, then the sum of the slices (shaders/reduce.comp). */
function filterGradient(
  backend: VulkanBackend,
  info: tf.backend_util.Conv2DInfo,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  shape: number[],
): tf.TensorInfo {
  const weights = tf.util.sizeFromShape(shape);
  const out = backend.makeOutput(shape, 'float32');
  if (weights === 0) return out;
  const slices = Math.max(
    1,
    Math.min(info.batchSize, Math.ceil(filterGradientInvocations(backend) / weights)),
  );
  const parts = slices === 1 ? out : backend.makeOutput([weights, slices], 'float32');
  const buffers = [backend.bufferOf(x), backend.bufferOf(dy), backend.bufferOf(parts)];
  backend.shaders.run(
    'conv2dBackpropFilter',
    buffers,
    convPush(info, slices),
    Shaders.elementGroups(weights * slices),
  );
  if (parts !== out) {
    reduceRows(backend, ReduceOp.sum, backend.bufferOf(parts), backend.bufferOf(out), weights, slices);
    backend.disposeIntermediateTensorInfo(parts);
  }
  return out;
}

const nhwcFloat = (format: string, ...tensors: tf.TensorInfo[]): boolean =>
  format === 'NHWC' && tensors.every((t) => t.dtype === 'float32');

type Shape4 = [number, number, number, number];

/**
 * The geometry tfjs's computeConv2DInfo gives a convolution of an `input`-shaped image with a
 * `filter`-shaped filter (NHWC, HWIO), from the attributes every convolution kernel has; the gradients
 * have no dilation.
 */
function geometry(
  input: readonly number[],
  filter: readonly number[],
  attrs: Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'> &
    Partial<Pick<tf.Conv2DAttrs, 'dilations'>>,
  depthwise = false,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    input as Shape4,
    filter as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/**
 * 2-D convolutions in NHWC (tfjs's layout) and their two gradients, direct loops over the taps; and the
 * depthwise convolution forward (the augmentation's Gaussian blur), whose gradients fall back to the cpu.
 */
export const conv2dKernels: VulkanKernel[] = [
  {
    kernelName: tf.Conv2D,
    run({ inputs, attrs, backend }) {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const conv = attrs as unknown as tf.Conv2DAttrs;
      if (!nhwcFloat(conv.dataFormat, x, filter)) return null;
      const info = geometry(x.shape, filter.shape, conv);
      return runConv(backend, 'conv2d', info, x, filter, info.outShape);
    },
  },
  {
    kernelName: tf.Conv2DBackpropInput,
    run({ inputs, attrs, backend }) {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const conv = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      const inputShape = conv.inputShape;
      if (!nhwcFloat(conv.dataFormat, dy, filter)) return null;
      const info = geometry(inputShape, filter.shape, conv);
      // [kh, kw, cin, cout] → [kh, kw, cout, cin]: the shader's loads of it are then contiguous.
      const transposed = transpose(backend, filter, [0, 1, 3, 2]);
      const dx = runConv(backend, 'conv2dBackpropInput', info, dy, transposed, [...inputShape]);
      backend.disposeIntermediateTensorInfo(transposed);
      return dx;
    },
  },
  {
    kernelName: tf.Conv2DBackpropFilter,
    run({ inputs, attrs, backend }) {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const conv = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const filterShape = conv.filterShape;
      if (!nhwcFloat(conv.dataFormat, x, dy)) return null;
      const info = geometry(x.shape, filterShape, conv);
      return filterGradient(backend, info, x, dy, [...filterShape]);
    },
  },
  {
    kernelName: tf.DepthwiseConv2dNative,
    run({ inputs, attrs, backend }) {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const conv = attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
      if (!nhwcFloat(conv.dataFormat, x, filter)) return null;
      const info = geometry(x.shape, filter.shape, conv, true);
      return runConv(backend, 'depthwiseConv2d', info, x, filter, info.outShape);
    },
  },
];
