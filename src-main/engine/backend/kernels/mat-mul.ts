import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

const wrapped = new WeakSet<tf.KernelFunc>();

/** [..., m, n] -> [..., n, m] */
function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

/** Product of the dimensions before the last two. */
function batchSize(t: tf.TensorInfo): number {
  return tf.util.sizeFromShape(t.shape.slice(0, -2));
}

/** The fused activations of tf.fused.matMul, as plain ops. */
function activate(x: tf.Tensor, attrs: tf._FusedMatMulAttrs, inputs: tf.NamedTensorInfoMap): tf.Tensor {
  switch (attrs.activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leakyrelu':
      return tf.leakyRelu(x, attrs.leakyreluAlpha);
    case 'prelu':
      return tf.prelu(x, asTensor(inputs.preluActivationWeights as tf.TensorInfo));
    default:
      throw new Error(`_FusedMatMul: unknown activation ${String(attrs.activation)}`);
  }
}

/**
 * Wraps the wasm BatchMatMul or _FusedMatMul (tfjs 4.22), which has two faults:
 * - with either operand transposed it runs ~20-30x slower (under 1 GFLOP/s), and the matMul gradient
 *   always transposes (da = dy * b^T, db = a^T * dy), as do similarity matrices (z * z^T). A
 *   transposed operand is first materialised by the Transpose kernel (linear cost), then the fast
 *   non-transposed path runs;
 * - _FusedMatMul adds the bias wrongly when the batch is larger than 1 (e.g. a dense layer over
 *   [batch, tokens, d]); there the product, bias and activation run as separate ops.
 */
export function fastWasmMatMul(native: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(native.kernelFunc)) return native;
  const kernelFunc = ((args: KernelArgs) => {
    const attrs = args.attrs as unknown as tf._FusedMatMulAttrs;
    const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
    if (bias && Math.max(batchSize(a), batchSize(b)) > 1) {
      return tf.tidy(() => {
        const product = tf.matMul(asTensor(a), asTensor(b), attrs.transposeA, attrs.transposeB);
        return activate(tf.add(product, asTensor(bias)), attrs, args.inputs);
      });
    }
    if (!attrs.transposeA && !attrs.transposeB)
      return native.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    return tf.tidy(() => {
      const inputs = {
        ...(args.inputs as tf.NamedTensorMap),
        a: attrs.transposeA ? swapLastTwo(asTensor(a)) : asTensor(a),
        b: attrs.transposeB ? swapLastTwo(asTensor(b)) : asTensor(b),
      };
      const plain = { ...args.attrs, transposeA: false, transposeB: false };
      return tf.engine().runKernel(native.kernelName, inputs, plain) as tf.Tensor;
    });
  }) as tf.KernelFunc;
  wrapped.add(kernelFunc);
  return { ...native, kernelFunc };
}
