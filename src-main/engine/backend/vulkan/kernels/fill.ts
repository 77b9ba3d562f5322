import * as tf from '@tensorflow/tfjs-core';

import { runUnary, UnaryOp } from './unary';
import type { VulkanKernel } from './kernel';

/** Constant float32 tensors, and zeros of any 4-byte type (all bits 0); other int32 and bool constants
 * fall back to the cpu. */
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
      const zeroBits = value === 0 && (x.dtype === 'int32' || x.dtype === 'bool');
      return x.dtype === 'float32' || zeroBits
        ? runUnary(backend, UnaryOp.fill, null, x.shape, x.dtype, value as number)
        : null;
    },
  })),
];
