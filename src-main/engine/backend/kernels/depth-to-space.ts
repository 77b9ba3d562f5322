import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** The parts of the wasm backend this kernel uses. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const wrapped = new WeakSet<tf.KernelFunc>();

/**
 * DepthToSpace, NHWC, for the wasm backend: the native kernel (tfjs 4.22) computes every output index
 * on its own, ~30 ns a value, which made it costlier than the convolution feeding it in the strided
 * input gradient (conv2d-backprop-input.ts). In NHWC, the s·C' values that input pixel (n, u, v) holds
 * for block row p, and output row (n, u·s + p) holds at columns v·s … v·s + s − 1, are both contiguous,
 * so the whole op is n·h·w·s block copies within the heap. Other layouts go to the native kernel.
 */
export function fastWasmDepthToSpace(native: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(native.kernelFunc)) return native;
  const kernelFunc = ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { blockSize: s, dataFormat } = args.attrs as unknown as tf.DepthToSpaceAttrs;
    if (dataFormat !== 'NHWC' || x.dtype === 'string' || x.dtype === 'complex64') {
      return native.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    const backend = args.backend as WasmBackendLike;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const co = c / (s * s);
    const out = backend.makeOutput([n, h * s, w * s, co], x.dtype);
    // Views after the allocation, which may have grown (moved) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const run = s * co;
    for (let nu = 0; nu < n * h; nu++) {
      for (let p = 0; p < s; p++) {
        const inRow = nu * w * c + p * run;
        const outRow = (nu * s + p) * w * run;
        for (let v = 0; v < w; v++) {
          const from = inRow + v * c;
          dst.set(src.subarray(from, from + run), outRow + v * run);
        }
      }
    }
    return out;
  }) as tf.KernelFunc;
  wrapped.add(kernelFunc);
  return { ...native, kernelFunc };
}
