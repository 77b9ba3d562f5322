import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';
import { maxPoolArgmax } from './max-pool-argmax';

/**
 * MaxPoolGrad for the wasm backend, replacing the native one, which misroutes the gradient of every
 * window whose maximum is <= 0 (see max-pool-argmax). dx is dy scattered, summing, to the argmax
 * positions, through UnsortedSegmentSum.
 */
function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy: dyInfo, input: xInfo } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    xInfo.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const { index } = maxPoolArgmax(x, info);
    const size = tf.util.sizeFromShape(x.shape);
    const dx = tf.unsortedSegmentSum(tf.reshape(asTensor(dyInfo), [-1]), tf.reshape(index, [-1]), size);
    return tf.reshape(dx, x.shape);
  });
}

export const wasmMaxPoolGrad: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
