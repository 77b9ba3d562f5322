import * as tf from '@tensorflow/tfjs-core';

import { heapMemory, type WasmHeapOwner } from './simd-module';
import { transposeSimd } from './transpose-simd';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

interface WasmBackendLike extends WasmHeapOwner {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * A transpose with size-1 axes dropped and runs of axes that stay adjacent and in order merged:
 * e.g. NHWC -> CHWN ([3, 1, 2, 0]) is [N, HW, C] with perm [2, 1, 0].
 */
export function collapseTranspose(
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const axes = perm.filter((a) => shape[a] !== 1);
  const sorted = [...axes].sort((a, b) => a - b);
  const rank = new Map(sorted.map((a, i) => [a, i]));
  const dims = sorted.map((a) => shape[a]!);
  const p = axes.map((a) => rank.get(a)!);
  const groups: number[][] = [];
  p.forEach((a, k) => {
    if (k > 0 && a === p[k - 1]! + 1) groups.at(-1)!.push(a);
    else groups.push([a]);
  });
  const starts = groups.map((g) => g[0]!).sort((a, b) => a - b);
  const outShape = starts.map((s) => {
    const g = groups.find((gr) => gr[0] === s)!;
    return g.reduce((n, a) => n * dims[a]!, 1);
  });
  return { shape: outShape, perm: groups.map((g) => starts.indexOf(g[0]!)) };
}

const wrapped = new WeakSet<tf.KernelFunc>();

/**
 * Transpose for the wasm backend: the native kernel (tfjs 4.22) moves one value at a time, ~6 ns a
 * value for NHWC -> CHWN, and the convolution filter gradient (conv2d-backprop-filter.ts) transposes
 * both its activations that way, a seventh of a ResNet training step. The two layouts it uses,
 * [n, p, c] -> [c, p, n] and -> [p, n, c] after collapsing, run as SIMD loops (transpose-simd.wat)
 * when the sizes allow (multiples of 4), about 5× faster; every other transpose goes to the native
 * kernel. 4-byte types only; moving bits is exact.
 */
export function fastWasmTranspose(native: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(native.kernelFunc)) return native;
  const kernelFunc = ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const backend = args.backend as WasmBackendLike;
    const memory = heapMemory(backend);
    const simd = memory && (x.dtype === 'float32' || x.dtype === 'int32') ? transposeSimd(memory) : null;
    const plan = collapseTranspose(x.shape, perm);
    const [n, p, c] = plan.shape.length === 3 ? (plan.shape as [number, number, number]) : [0, 0, 0];
    const outer = plan.perm.join() === '2,1,0' && n % 4 === 0 && c % 4 === 0;
    const middle = plan.perm.join() === '1,0,2' && c % 4 === 0;
    if (!simd || !(outer || middle) || tf.util.sizeFromShape(x.shape) === 0)
      return native.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    const out = backend.makeOutput(
      perm.map((a) => x.shape[a]!),
      x.dtype,
    );
    // Addresses after the allocation, which may have grown the heap (addresses stay valid).
    const from = backend.typedArrayFromHeap(x).byteOffset;
    const to = backend.typedArrayFromHeap(out).byteOffset;
    if (outer) simd.swapOuterInner(from, to, n, p, c);
    else simd.swapOuter(from, to, n, p, c);
    return out;
  }) as tf.KernelFunc;
  wrapped.add(kernelFunc);
  return { ...native, kernelFunc };
}
