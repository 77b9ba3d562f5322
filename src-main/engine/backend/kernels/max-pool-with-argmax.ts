import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';
import { maxPoolArgmax } from './max-pool-argmax';

/**
 * MaxPoolWithArgmax for the wasm backend, replacing the native one, which returns wrong maxima and
 * indices for every window whose maximum is <= 0 (see max-pool-argmax).
 */
function maxPoolWithArgmax(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const { x: xInfo } = args.inputs as { x: tf.TensorInfo };
  const { filterSize, strides, pad, includeBatchInIndex } =
    args.attrs as unknown as tf.MaxPoolWithArgmaxAttrs;
  const info = tf.backend_util.computePool2DInfo(
    xInfo.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const { values, index } = maxPoolArgmax(x, info, includeBatchInIndex);
    return [values, index];
  });
}

export const wasmMaxPoolWithArgmax: tf.KernelConfig = {
  kernelName: tf.MaxPoolWithArgmax,
  backendName: 'wasm',
  kernelFunc: maxPoolWithArgmax as unknown as tf.KernelFunc,
};
