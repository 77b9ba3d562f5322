import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import { convPush } from './conv2d';
import type { VulkanKernel } from './kernel';

/** The geometry of a 2-D pool, from its attributes (tfjs's computePool2DInfo, no dilation). */
function poolInfo(x: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolAttrs;
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

/** Max pooling and its gradient (the ImageNet stem of a ResNet: 3×3, stride 2, padding 1). */
export const poolKernels: VulkanKernel[] = [
  {
    kernelName: tf.MaxPool,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      if (x.dtype !== 'float32' || x.shape.length !== 4) return null;
      const info = poolInfo(x, attrs);
      const out = backend.makeOutput(info.outShape, 'float32');
      const n = tf.util.sizeFromShape(info.outShape);
      if (n === 0) return out;
      backend.shaders.run(
        'maxPool',
        [backend.bufferOf(x), backend.bufferOf(out)],
        convPush(info),
        Shaders.elementGroups(n),
      );
      return out;
    },
  },
  {
    kernelName: tf.MaxPoolGrad,
    run({ inputs, attrs, backend }) {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      if (input.dtype !== 'float32' || dy.dtype !== 'float32' || input.shape.length !== 4) return null;
      const info = poolInfo(input, attrs);
      const out = backend.makeOutput(input.shape, 'float32');
      const n = tf.util.sizeFromShape(input.shape);
      if (n === 0) return out;
      const buffers = [backend.bufferOf(input), backend.bufferOf(dy), backend.bufferOf(out)];
      backend.shaders.run('maxPoolGrad', buffers, convPush(info), Shaders.elementGroups(n));
      return out;
    },
  },
];
