import * as tf from '@tensorflow/tfjs-core';

import { runUnary, UnaryOp } from './unary';
import type { VulkanKernel } from './kernel';

/** Constant float32 tensors; int32 and bool ones fall back to the cpu. */
export const fillKernels: VulkanKernel[] = [
  {
    kernelName: tf.Fill,
    run({ attrs, backend }) {
      const { shape, value, dtype } = attrs as unknown as tf.FillAttrs;
      const type = dtype ?? 'float32';
      return type === 'float32'
        ? runUnary(backend, UnaryOp.fill, null, [...shape], type, Number(value))
        : null;
    },
  },
  ...[
    [tf.ZerosLike, 0],
    [tf.OnesLike, 1],
  ].map(([kernelName, value]): VulkanKernel => ({
    kernelName: kernelName as string,
    run({ inputs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      return x.dtype === 'float32'
        ? runUnary(backend, UnaryOp.fill, null, x.shape, 'float32', value as number)
        : null;
    },
  })),
];
