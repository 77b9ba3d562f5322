import * as tf from '@tensorflow/tfjs-core';

import { dnnlAddon } from '../dnnl';

/**
 * BatchMatMul of the wasm backend run by oneDNN, natively, where the addon is built: the projection
 * heads, the similarity matrices of the losses and their gradients, and the per-image colour matrices
 * of the augmentation, whose tiny 3×3 products XNNPACK runs slowly. Wraps the kernel registered before
 * it and hands it what it does not cover: other dtypes, batch shapes that differ other than by one side
 * being a single matrix, empty tensors.
 */

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const wrapped = new WeakSet<tf.KernelFunc>();

/** Product of the batch dimensions (all but the last two). */
function batchOf(shape: number[]): number {
  return tf.util.sizeFromShape(shape.slice(0, -2));
}

export function dnnlBatchMatMul(fallback: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(fallback.kernelFunc)) return fallback;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const addon = dnnlAddon();
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const batchA = batchOf(a.shape);
    const batchB = batchOf(b.shape);
    const sameBatch =
      tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2)) || batchA === 1 || batchB === 1;
    if (!addon || a.dtype !== 'float32' || b.dtype !== 'float32' || !sameBatch || a.shape.length < 2) {
      return fallback.kernelFunc(args as never) as tf.TensorInfo;
    }
    const [ra, ca] = a.shape.slice(-2) as [number, number];
    const [rb, cb] = b.shape.slice(-2) as [number, number];
    const [m, k] = transposeA ? [ca, ra] : [ra, ca];
    const [k2, n] = transposeB ? [cb, rb] : [rb, cb];
    if (k !== k2) throw new Error(`BatchMatMul: inner dimensions ${k} and ${k2} differ`);
    if (m * n * k * batchA * batchB === 0) return fallback.kernelFunc(args as never) as tf.TensorInfo;
    const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput([...batchShape, m, n], 'float32');
    const dims = Int32Array.from([batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    addon.matmul(
      backend.typedArrayFromHeap(a),
      backend.typedArrayFromHeap(b),
      backend.typedArrayFromHeap(out),
      dims,
    );
    return out;
  };
  const func = kernelFunc as unknown as tf.KernelFunc;
  wrapped.add(func);
  return { ...fallback, kernelFunc: func };
}
