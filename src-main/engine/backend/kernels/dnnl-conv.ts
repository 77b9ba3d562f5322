import * as tf from '@tensorflow/tfjs-core';

import { dnnlAddon, type DnnlAddon } from '../dnnl';

/**
 * Convolutions of the wasm backend run by oneDNN, natively, where the addon (src-main/dnnl-addon) is
 * built. WebAssembly SIMD is 128 bits wide and has no fused multiply-add; oneDNN's JIT kernels use the
 * CPU's widest vectors (AVX-512 or AVX2 with FMA) on the very same heap memory, so a convolution is
 * several times faster and nothing is copied. Each kernel wraps the one it replaces and hands it every
 * case it does not cover (NCHW, other dtypes, an empty tensor, the addon absent or switched off).
 */

type Shape4 = [number, number, number, number];

/** What these kernels need of tfjs-backend-wasm's backend object. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

const FORWARD = 0;
const BACKWARD_DATA = 1;
const BACKWARD_WEIGHTS = 2;

/** The addon's 17 shape values (see src/addon.cc), or null where oneDNN should not take the case. */
function dimsOf(info: tf.backend_util.Conv2DInfo): Int32Array | null {
  if (info.dataFormat !== 'channelsLast' || info.inChannels !== info.filterShape[2]) return null;
  const p = info.padInfo;
  const values = [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.left,
    p.bottom,
    p.right,
  ];
  if (values.slice(0, 13).some((v) => !(v >= 1)) || values.slice(13).some((v) => !(v >= 0))) return null;
  // tfjs computes some numeric paddings with an output size the padding cannot give (its cpu and wasm
  // kernels follow the output size); oneDNN rightly refuses those, so they stay with the fallback.
  const span = (size: number, k: number, d: number, s: number, lo: number, hi: number) =>
    Math.floor((size + lo + hi - ((k - 1) * d + 1)) / s) + 1;
  if (
    span(info.inHeight, info.filterHeight, info.dilationHeight, info.strideHeight, p.top, p.bottom) !==
      info.outHeight ||
    span(info.inWidth, info.filterWidth, info.dilationWidth, info.strideWidth, p.left, p.right) !==
      info.outWidth
  ) {
    return null;
  }
  return Int32Array.from(values);
}

/** Whether oneDNN takes a convolution (asked once per shape: creating its primitive is the test). */
const verdicts = new Map<string, boolean>();

function supported(addon: DnnlAddon, kind: number, dims: Int32Array): boolean {
  const key = `${kind}:${dims.join(',')}`;
  let ok = verdicts.get(key);
  if (ok === undefined) {
    try {
      addon.implementation(kind, dims);
      ok = true;
    } catch {
      ok = false;
    }
    verdicts.set(key, ok);
  }
  return ok;
}

/**
 * Runs one convolution into a new output of `shape`, or returns null where oneDNN does not take it.
 * Inputs are viewed after the output is allocated, since allocating may move the heap.
 */
function run(
  addon: DnnlAddon,
  backend: WasmHeapBackend,
  kind: number,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  shape: number[],
  dims: Int32Array,
): tf.TensorInfo | null {
  if (!supported(addon, kind, dims)) return null;
  const out = backend.makeOutput(shape, 'float32');
  addon.convolution(
    kind,
    backend.typedArrayFromHeap(a),
    backend.typedArrayFromHeap(b),
    backend.typedArrayFromHeap(out),
    dims,
  );
  return out;
}

/** Kernel functions made here, so wrapping twice (registration is idempotent) is a no-op. */
const wrapped = new WeakSet<tf.KernelFunc>();

function marked(fallback: tf.KernelConfig, kernelFunc: (args: KernelArgs) => tf.TensorInfo): tf.KernelConfig {
  const func = kernelFunc as unknown as tf.KernelFunc;
  wrapped.add(func);
  return { ...fallback, kernelFunc: func };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function sameShape(info: tf.TensorInfo, shape: readonly number[]): boolean {
  return tf.util.arraysEqual(info.shape, shape as number[]);
}

function allFloat(...infos: tf.TensorInfo[]): boolean {
  return infos.every((i) => i.dtype === 'float32');
}

/**
 * What one of the three kernels asks of the addon: which convolution, its two operands, the geometry of
 * the forward convolution it belongs to, and its output's shape (the forward output when omitted).
 * `dy` is checked against that geometry: tfjs does not check it, and the fallback then gives tfjs's
 * result.
 */
interface NativeCall {
  kind: number;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  xShape: Shape4;
  filterShape: Shape4;
  dilations: number | [number, number];
  outShape?: number[];
  dy?: tf.TensorInfo;
}

/** A kernel that runs `call` natively where it can and its fallback (the kernel it wraps) elsewhere. */
function nativeConvolution(call: (args: KernelArgs) => NativeCall) {
  return (fallback: tf.KernelConfig): tf.KernelConfig => {
    if (wrapped.has(fallback.kernelFunc)) return fallback;
    const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
      const addon = dnnlAddon();
      const c = call(args);
      const { strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
      const info = tf.backend_util.computeConv2DInfo(
        c.xShape,
        c.filterShape,
        strides,
        c.dilations,
        pad,
        dimRoundingMode,
        false,
        tf.backend_util.convertConv2DDataFormat(dataFormat),
      );
      const usable = addon && allFloat(c.a, c.b) && (!c.dy || sameShape(c.dy, info.outShape));
      const dims = usable ? dimsOf(info) : null;
      const out =
        addon && dims
          ? run(addon, args.backend as WasmHeapBackend, c.kind, c.a, c.b, c.outShape ?? info.outShape, dims)
          : null;
      return out ?? (fallback.kernelFunc(args as never) as tf.TensorInfo);
    };
    return marked(fallback, kernelFunc);
  };
}

/** Wrappers by kernel name: each takes the kernel registered before it, its fallback. */
export const dnnlConvWrappers: readonly [string, (fallback: tf.KernelConfig) => tf.KernelConfig][] = [
  // Conv2D: y = x ⊛ w.
  [
    tf.Conv2D,
    nativeConvolution(({ inputs, attrs }) => {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const { dilations } = attrs as unknown as tf.Conv2DAttrs;
      return {
        kind: FORWARD,
        a: x,
        b: filter,
        xShape: x.shape as Shape4,
        filterShape: filter.shape as Shape4,
        dilations,
      };
    }),
  ],
  // Conv2DBackpropInput: dx from dy and w.
  [
    tf.Conv2DBackpropInput,
    nativeConvolution(({ inputs, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const { inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      return {
        kind: BACKWARD_DATA,
        a: dy,
        b: filter,
        xShape: inputShape,
        filterShape: filter.shape as Shape4,
        dilations: 1,
        outShape: [...inputShape],
        dy,
      };
    }),
  ],
  // Conv2DBackpropFilter: dw from x and dy.
  [
    tf.Conv2DBackpropFilter,
    nativeConvolution(({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      return {
        kind: BACKWARD_WEIGHTS,
        a: x,
        b: dy,
        xShape: x.shape as Shape4,
        filterShape,
        dilations: 1,
        outShape: [...filterShape],
        dy,
      };
    }),
  ],
];
