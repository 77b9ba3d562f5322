import * as tf from '@tensorflow/tfjs-core';

/**
 * Work XNNPACK splits across threads: convolutions forward and backward (3×3 and strided 1×1) and
 * matrix products, on inputs from seeded tf.random* (generated in JS, so identical in every process).
 */
export function threadedWorkload(): tf.Tensor[] {
  const x = tf.randomNormal([8, 16, 16, 12], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w3 = tf.randomNormal([3, 3, 12, 24], 0, 0.2, 'float32', 2) as tf.Tensor4D;
  const w1 = tf.randomNormal([1, 1, 24, 32], 0, 0.2, 'float32', 3) as tf.Tensor4D;
  const a = tf.randomNormal([96, 200], 0, 1, 'float32', 4) as tf.Tensor2D;
  const b = tf.randomNormal([200, 72], 0, 1, 'float32', 5) as tf.Tensor2D;
  const f = (xx: tf.Tensor, k3: tf.Tensor, k1: tf.Tensor) =>
    tf.sum(
      tf.square(
        tf.conv2d(
          tf.relu(tf.conv2d(xx as tf.Tensor4D, k3 as tf.Tensor4D, 1, 'same')),
          k1 as tf.Tensor4D,
          2,
          'same',
        ),
      ),
    );
  const grads = tf.grads(f)([x, w3, w1]);
  return [tf.conv2d(x, w3, 1, 'same'), tf.matMul(a, b), ...grads];
}
