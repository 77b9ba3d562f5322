import * as tf from '@tensorflow/tfjs-core';

import type { VulkanKernel } from './kernel';

/** Reshape, ExpandDims and Identity share the input's buffer: a new shape over the same elements. */
export const viewKernels: VulkanKernel[] = [
  {
    kernelName: tf.Reshape,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { shape } = attrs as unknown as tf.ReshapeAttrs;
      const size = tf.util.sizeFromShape(x.shape);
      const newShape = tf.util.inferFromImplicitShape([...shape], size);
      tf.util.assert(
        size === tf.util.sizeFromShape(newShape),
        () => `Cannot reshape a tensor of shape [${x.shape}] (${size} elements) into [${shape}]`,
      );
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: newShape, dtype: x.dtype };
    },
  },
  {
    kernelName: tf.ExpandDims,
    run({ inputs, attrs, backend }) {
      const { input } = inputs as { input: tf.TensorInfo };
      const { dim } = attrs as unknown as tf.ExpandDimsAttrs;
      const axis = dim < 0 ? input.shape.length + dim + 1 : dim;
      tf.util.assert(
        axis >= 0 && axis <= input.shape.length,
        () => `ExpandDims: axis ${dim} is out of range`,
      );
      const shape = [...input.shape];
      shape.splice(axis, 0, 1);
      backend.incRef(input.dataId);
      return { dataId: input.dataId, shape, dtype: input.dtype };
    },
  },
  {
    kernelName: tf.Identity,
    run({ inputs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  },
];
