import * as tf from '@tensorflow/tfjs-core';

/**
 * The engine hands kernels real Tensors, but a backend may call a kernel function directly with bare
 * TensorInfos; wrapping those (which takes a reference) lets composed kernels use tf ops on either.
 */
export function asTensor<R extends tf.Rank = tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}
