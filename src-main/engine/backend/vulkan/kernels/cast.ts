import * as tf from '@tensorflow/tfjs-core';

import { runUnary, UnaryOp } from './unary';
import type { VulkanKernel } from './kernel';

/** Conversions between float32, int32 and bool (stored as int32 0 or 1); int32 to bool falls back. */
export const castKernel: VulkanKernel = {
  kernelName: tf.Cast,
  run({ inputs, attrs, backend }) {
    const { x } = inputs as { x: tf.TensorInfo };
    const { dtype } = attrs as unknown as tf.CastAttrs;
    if (x.dtype === dtype) {
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype };
    }
    const op =
      dtype === 'float32' && (x.dtype === 'int32' || x.dtype === 'bool')
        ? UnaryOp.intToFloat
        : x.dtype === 'float32' && dtype === 'int32'
          ? UnaryOp.floatToInt
          : x.dtype === 'float32' && dtype === 'bool'
            ? UnaryOp.floatToBool
            : x.dtype === 'bool' && dtype === 'int32'
              ? UnaryOp.copy
              : null;
    return op === null ? null : runUnary(backend, op, x, x.shape, dtype);
  },
};
