import * as tf from '@tensorflow/tfjs-core';

import { dnnlAddon } from '../dnnl';
import { nativeBatchNormPasses } from './batch-norm-native';
import { batchNormSimd, type BatchNormSimd } from './batch-norm-simd';
import { heapMemory, type WasmHeapOwner } from './simd-module';

/**
 * Batch normalisation in training mode as two kernels, forward and backward, each a couple of passes
 * over the activation, instead of the dozen or so tfjs ops (moments, batchNorm and their gradients)
 * that each keep their own intermediates for the backward pass. Optionally with the ReLU that follows
 * it and a residual added before that ReLU (a ResNet block's end), fused in as well.
 *
 * Forward, per channel c over the m = size / C values of x (Ioffe & Szegedy 2015, Algorithm 1):
 *   μ = Σx / m,  σ² = Σ(x − μ)² / m,  x̂ = (x − μ) / √(σ² + ε),  y = act(γ·x̂ + β + r)
 * Backward (ibid. §3, the chain rule through μ and σ² in closed form), with g = ∂L/∂(γ·x̂ + β), which is
 * dy masked by y > 0 under the ReLU:
 *   ∂L/∂β = Σg,  ∂L/∂γ = Σg·x̂,  ∂L/∂x = γ / √(σ² + ε) · (g − ∂L/∂β / m − x̂ · ∂L/∂γ / m),  ∂L/∂r = g
 * Statistics accumulate in float64 (so the one-pass Σx, Σx² is as exact as two passes in float32).
 * On wasm the passes over the activation run natively where the addon is built (batch-norm-native.ts),
 * else as 128-bit SIMD loops (batch-norm-simd.wat), when C is a multiple of 4, summing in float32 over blocks of rows and in float64 across blocks; elsewhere, and
 * on the cpu backend, as the JS loops below. Measured on a [256, 32, 32, 16] activation: forward and
 * backward with ReLU ~10 ms together with SIMD, ~100 ms in JS, ~200 ms as tfjs ops.
 */

/** Kernel names; the fused ReLU variant also keeps its output, for the ReLU's mask. */
export const BatchNormTrain = 'ContrastLabBatchNormTrain';
export const BatchNormReluTrain = 'ContrastLabBatchNormReluTrain';
export const BatchNormTrainGrad = 'ContrastLabBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
}

/** Raw float32 storage of a tensor and allocation of outputs, on one backend. */
interface Storage {
  read(info: tf.TensorInfo): Float32Array;
  /** Allocates all outputs first, then returns their views (allocation may move the wasm heap). */
  alloc(shapes: number[][]): { infos: tf.TensorInfo[]; views: () => Float32Array[] };
  /** The SIMD passes and heap access, on wasm where they load. */
  simd?: SimdHeap;
}

/** What the SIMD passes need of the wasm heap: the passes, tensor addresses and scratch memory. */
interface SimdHeap {
  passes: BatchNormSimd;
  /** Byte offset of a tensor's data. */
  address(info: tf.TensorInfo): number;
  /** A float32 view of a tensor's data, made now (valid until the next allocation). */
  f32Of(info: tf.TensorInfo): Float32Array;
  /** A scratch block of `bytes`, with views made after every allocation. */
  scratch(bytes: number): {
    ptr: number;
    f64(at: number, n: number): Float64Array;
    f32(at: number, n: number): Float32Array;
    free(): void;
  };
}

interface WasmBackendLike extends WasmHeapOwner {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  wasm: WasmHeapOwner['wasm'] & {
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
}

function simdHeap(backend: WasmBackendLike): SimdHeap | undefined {
  const memory = heapMemory(backend);
  const addon = dnnlAddon();
  const passes = !memory ? null : addon ? nativeBatchNormPasses(addon, memory) : batchNormSimd(memory);
  if (!memory || !passes) return undefined;
  return {
    passes,
    address: (info) => backend.typedArrayFromHeap(info).byteOffset,
    f32Of: (info) => backend.typedArrayFromHeap(info),
    scratch(bytes) {
      // emscripten returns the address as a signed 32-bit int: negative once the heap passes 2 GiB.
      const ptr = backend.wasm._malloc(bytes) >>> 0;
      return {
        ptr,
        f64: (at, n) => new Float64Array(memory.buffer, ptr + at, n),
        f32: (at, n) => new Float32Array(memory.buffer, ptr + at, n),
        free: () => backend.wasm._free(ptr),
      };
    },
  };
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function wasmStorage(backend: WasmBackendLike): Storage {
  return {
    simd: simdHeap(backend),
    read: (info) => backend.typedArrayFromHeap(info),
    alloc(shapes) {
      const infos = shapes.map((s) => backend.makeOutput(s, 'float32'));
      return { infos, views: () => infos.map((i) => backend.typedArrayFromHeap(i)) };
    },
  };
}

function cpuStorage(backend: CpuBackendLike): Storage {
  return {
    read: (info) => backend.data.get(info.dataId).values as Float32Array,
    alloc(shapes) {
      const arrays = shapes.map((s) => new Float32Array(tf.util.sizeFromShape(s)));
      const infos = shapes.map((s, i) => backend.makeTensorInfo(s, 'float32', arrays[i]!));
      return { infos, views: () => arrays };
    },
  };
}

function checkFloat(infos: (tf.TensorInfo | undefined)[], kernel: string): void {
  for (const info of infos) {
    if (info && info.dtype !== 'float32')
      throw new Error(`${kernel} takes float32 tensors, got ${info.dtype}`);
  }
}

/*
 * The loops below walk x as [m, C] in blocks of rows that stay in the L1 cache, channel by channel
 * within a block, so each channel's sums and coefficients live in locals rather than in arrays: about
 * twice as fast in V8 as one pass with per-channel arrays. Each variant (ReLU or not, residual or not)
 * has its own loop so the inner loops carry no per-value conditions.
 */

/** Rows per block: about 4096 values (16 KiB per array). */
function blockRows(channels: number): number {
  return Math.max(1, Math.floor(4096 / channels));
}

/** Per-channel Σx and Σx² in float64 over x viewed as [m, C]. */
function channelSums(x: Float32Array, channels: number): { sum: Float64Array; sumSq: Float64Array } {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const n = x.length;
  const block = blockRows(channels) * channels;
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    for (let c = 0; c < channels; c++) {
      let s = 0;
      let q = 0;
      for (let i = start + c; i < end; i += channels) {
        const v = x[i]!;
        s += v;
        q += v * v;
      }
      sum[c]! += s;
      sumSq[c]! += q;
    }
  }
  return { sum, sumSq };
}

/**
 * y = act(x·scale + shift (+ r)). max(v, 0) is computed as (v + |v|) / 2: exact, and free of the branch
 * that mispredicts on activations of random sign (Math.max is several times slower here).
 */
function normalize(
  x: Float32Array,
  y: Float32Array,
  scale: Float64Array,
  shift: Float64Array,
  relu: boolean,
  r: Float32Array | null,
): void {
  const channels = scale.length;
  const n = x.length;
  const block = blockRows(channels) * channels;
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    for (let c = 0; c < channels; c++) {
      const a = scale[c]!;
      const b = shift[c]!;
      if (!relu) {
        for (let i = start + c; i < end; i += channels) y[i] = x[i]! * a + b;
      } else if (!r) {
        for (let i = start + c; i < end; i += channels) {
          const v = x[i]! * a + b;
          y[i] = (v + Math.abs(v)) * 0.5;
        }
      } else {
        for (let i = start + c; i < end; i += channels) {
          // Rounded to float32 before the add, as the unfused batchNorm-then-add computes it.
          const v = Math.fround(x[i]! * a + b) + r[i]!;
          y[i] = (v + Math.abs(v)) * 0.5;
        }
      }
    }
  }
}

function forward(
  storage: Storage,
  inputs: tf.NamedTensorInfoMap,
  attrs: BatchNormTrainAttrs,
  relu: boolean,
): tf.TensorInfo[] {
  const { x, gamma, beta, residual } = inputs as Record<string, tf.TensorInfo | undefined>;
  if (!x || !gamma || !beta) throw new Error('batch norm: x, gamma and beta are required');
  checkFloat([x, gamma, beta, residual], 'batch norm');
  const channels = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const out = storage.alloc([x.shape, [channels], [channels]]);
  if (storage.simd && channels % 4 === 0) {
    forwardSimd(storage.simd, x, gamma, beta, residual, out.infos, rows, channels, attrs.epsilon, relu);
    return out.infos;
  }
  const xv = storage.read(x);
  const g = storage.read(gamma);
  const b = storage.read(beta);
  const r = residual ? storage.read(residual) : null;
  const [y, meanOut, varOut] = out.views() as [Float32Array, Float32Array, Float32Array];

  const { sum, sumSq } = channelSums(xv, channels);
  const { scale, shift } = affineFromSums(sum, sumSq, rows, g, b, attrs.epsilon, meanOut, varOut);
  normalize(xv, y, scale, shift, relu, r);
  return out.infos;
}

/**
 * Mean and biased variance from Σx, Σx² (written to meanOut, varOut), and y = x·scale + shift with
 * scale = γ/√(σ²+ε), shift = β − μ·scale: one multiply-add per value.
 */
function affineFromSums(
  sum: Float64Array,
  sumSq: Float64Array,
  rows: number,
  g: Float32Array,
  b: Float32Array,
  epsilon: number,
  meanOut: Float32Array,
  varOut: Float32Array,
): { scale: Float64Array; shift: Float64Array } {
  const channels = sum.length;
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const mean = sum[c]! / rows;
    const variance = Math.max(0, sumSq[c]! / rows - mean * mean);
    meanOut[c] = mean;
    varOut[c] = variance;
    scale[c] = g[c]! / Math.sqrt(variance + epsilon);
    shift[c] = b[c]! - mean * scale[c]!;
  }
  return { scale, shift };
}

/** The forward kernel with the SIMD passes; outputs are [y, mean, variance], already allocated. */
function forwardSimd(
  heap: SimdHeap,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
  residual: tf.TensorInfo | undefined,
  outs: tf.TensorInfo[],
  rows: number,
  channels: number,
  epsilon: number,
  relu: boolean,
): void {
  // Scratch: Σx, Σx² (float64), then scale, shift (float32).
  const scratch = heap.scratch(channels * 24);
  try {
    scratch.f64(0, 2 * channels).fill(0);
    heap.passes.stats(
      heap.address(x),
      rows,
      channels,
      blockRows(channels),
      scratch.ptr,
      scratch.ptr + channels * 8,
    );
    const sum = Float64Array.from(scratch.f64(0, channels));
    const sumSq = Float64Array.from(scratch.f64(channels * 8, channels));
    const [meanOut, varOut] = [outs[1]!, outs[2]!].map((o) => heap.f32Of(o));
    const g = heap.f32Of(gamma);
    const b = heap.f32Of(beta);
    const { scale, shift } = affineFromSums(sum, sumSq, rows, g, b, epsilon, meanOut!, varOut!);
    scratch.f32(channels * 16, channels).set(scale);
    scratch.f32(channels * 20, channels).set(shift);
    const mode = !relu ? 0 : residual ? 2 : 1;
    heap.passes.normalize(
      heap.address(x),
      heap.address(outs[0]!),
      residual ? heap.address(residual) : 0,
      rows,
      channels,
      scratch.ptr + channels * 16,
      scratch.ptr + channels * 20,
      mode,
    );
  } finally {
    scratch.free();
  }
}

export interface BatchNormTrainGradAttrs extends BatchNormTrainAttrs {
  relu: boolean;
  /** Whether to output ∂L/∂r (the masked dy) as a fourth output. */
  residual: boolean;
}

/**
 * Σg and Σg·(x − μ) per channel, and ∂L/∂r = g where asked. Under the ReLU g = dy·[y > 0]; y ≥ 0, so
 * its float32 bit pattern is positive exactly where y > 0 and (−bits) >>> 31 is that mask as 0 or 1,
 * without a branch (Math.sign is twice as slow).
 */
function gradSums(
  dy: Float32Array,
  x: Float32Array,
  yBits: Int32Array | null,
  mean: Float64Array,
  dRes: Float32Array | null,
): { sumG: Float64Array; sumGX: Float64Array } {
  const channels = mean.length;
  const sumG = new Float64Array(channels);
  const sumGX = new Float64Array(channels);
  const n = x.length;
  const block = blockRows(channels) * channels;
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    for (let c = 0; c < channels; c++) {
      const mu = mean[c]!;
      let s = 0;
      let sx = 0;
      if (!yBits) {
        for (let i = start + c; i < end; i += channels) {
          const g = dy[i]!;
          s += g;
          sx += g * (x[i]! - mu);
        }
      } else if (!dRes) {
        for (let i = start + c; i < end; i += channels) {
          const g = dy[i]! * (-yBits[i]! >>> 31);
          s += g;
          sx += g * (x[i]! - mu);
        }
      } else {
        for (let i = start + c; i < end; i += channels) {
          const g = dy[i]! * (-yBits[i]! >>> 31);
          dRes[i] = g;
          s += g;
          sx += g * (x[i]! - mu);
        }
      }
      sumG[c]! += s;
      sumGX[c]! += sx;
    }
  }
  return { sumG, sumGX };
}

/** ∂L/∂x = k·(g − a − (x − μ)·b) per channel. */
function inputGrad(
  dy: Float32Array,
  x: Float32Array,
  yBits: Int32Array | null,
  mean: Float64Array,
  k: Float64Array,
  a: Float64Array,
  b: Float64Array,
  dx: Float32Array,
): void {
  const channels = mean.length;
  const n = x.length;
  const block = blockRows(channels) * channels;
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    for (let c = 0; c < channels; c++) {
      const mu = mean[c]!;
      const kc = k[c]!;
      const ac = a[c]!;
      const bc = b[c]!;
      if (!yBits) {
        for (let i = start + c; i < end; i += channels) dx[i] = kc * (dy[i]! - ac - (x[i]! - mu) * bc);
      } else {
        for (let i = start + c; i < end; i += channels) {
          dx[i] = kc * (dy[i]! * (-yBits[i]! >>> 31) - ac - (x[i]! - mu) * bc);
        }
      }
    }
  }
}

function backward(
  storage: Storage,
  inputs: tf.NamedTensorInfoMap,
  attrs: BatchNormTrainGradAttrs,
): tf.TensorInfo[] {
  const { dy, x, y, gamma, mean, variance } = inputs as Record<string, tf.TensorInfo | undefined>;
  if (!dy || !x || !gamma || !mean || !variance || (attrs.relu && !y)) {
    throw new Error('batch norm gradient: dy, x, gamma, mean, variance (and y with relu) are required');
  }
  checkFloat([dy, x, y, gamma, mean, variance], 'batch norm gradient');
  const channels = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const shapes = [x.shape, [channels], [channels]];
  const withRes = attrs.residual && attrs.relu;
  if (withRes) shapes.push(x.shape);
  const out = storage.alloc(shapes);
  if (storage.simd && channels % 4 === 0) {
    backwardSimd(
      storage.simd,
      { dy, x, y, gamma, mean, variance },
      out.infos,
      rows,
      channels,
      attrs,
      withRes,
    );
    return out.infos;
  }
  const dyv = storage.read(dy);
  const xv = storage.read(x);
  const yv = attrs.relu ? storage.read(y!) : null;
  const yBits = yv ? new Int32Array(yv.buffer, yv.byteOffset, yv.length) : null;
  const gv = storage.read(gamma);
  const mu = Float64Array.from(storage.read(mean));
  const vv = storage.read(variance);
  const [dx, dGamma, dBeta, dRes] = out.views() as [Float32Array, Float32Array, Float32Array, Float32Array?];

  const { sumG, sumGX } = gradSums(dyv, xv, yBits, mu, dRes ?? null);
  const { k, a, b } = gradCoefficients(sumG, sumGX, gv, vv, rows, attrs.epsilon, dGamma, dBeta);
  inputGrad(dyv, xv, yBits, mu, k, a, b, dx);
  return out.infos;
}

/**
 * ∂L/∂β, ∂L/∂γ (written to dBeta, dGamma) and the coefficients of ∂L/∂x = k·(g − a − (x − μ)·b):
 * k = γ·invStd, a = Σg/m, b = invStd²·Σg(x−μ)/m.
 */
function gradCoefficients(
  sumG: Float64Array,
  sumGX: Float64Array,
  gv: Float32Array,
  vv: Float32Array,
  rows: number,
  epsilon: number,
  dGamma: Float32Array,
  dBeta: Float32Array,
): { k: Float64Array; a: Float64Array; b: Float64Array } {
  const channels = sumG.length;
  const k = new Float64Array(channels);
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const invStd = 1 / Math.sqrt(vv[c]! + epsilon);
    dBeta[c] = sumG[c]!;
    dGamma[c] = sumGX[c]! * invStd;
    k[c] = gv[c]! * invStd;
    a[c] = sumG[c]! / rows;
    b[c] = (invStd * invStd * sumGX[c]!) / rows;
  }
  return { k, a, b };
}

/** The backward kernel with the SIMD passes; outputs are [dx, dγ, dβ, (dr)], already allocated. */
function backwardSimd(
  heap: SimdHeap,
  t: Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'variance', tf.TensorInfo | undefined>,
  outs: tf.TensorInfo[],
  rows: number,
  channels: number,
  attrs: BatchNormTrainGradAttrs,
  withRes: boolean,
): void {
  // Scratch: Σg, Σg(x−μ) (float64), then k, a, b (float32).
  const scratch = heap.scratch(channels * 28);
  try {
    scratch.f64(0, 2 * channels).fill(0);
    const yPtr = attrs.relu ? heap.address(t.y!) : 0;
    const mode = (attrs.relu ? 1 : 0) | (withRes ? 2 : 0);
    heap.passes.gradSums(
      heap.address(t.dy!),
      heap.address(t.x!),
      yPtr,
      withRes ? heap.address(outs[3]!) : 0,
      rows,
      channels,
      blockRows(channels),
      heap.address(t.mean!),
      scratch.ptr,
      scratch.ptr + channels * 8,
      mode,
    );
    const sumG = Float64Array.from(scratch.f64(0, channels));
    const sumGX = Float64Array.from(scratch.f64(channels * 8, channels));
    const { k, a, b } = gradCoefficients(
      sumG,
      sumGX,
      heap.f32Of(t.gamma!),
      heap.f32Of(t.variance!),
      rows,
      attrs.epsilon,
      heap.f32Of(outs[1]!),
      heap.f32Of(outs[2]!),
    );
    scratch.f32(channels * 16, channels).set(k);
    scratch.f32(channels * 20, channels).set(a);
    scratch.f32(channels * 24, channels).set(b);
    heap.passes.inputGrad(
      heap.address(t.dy!),
      heap.address(t.x!),
      yPtr,
      heap.address(outs[0]!),
      rows,
      channels,
      heap.address(t.mean!),
      scratch.ptr + channels * 16,
      scratch.ptr + channels * 20,
      scratch.ptr + channels * 24,
      attrs.relu ? 1 : 0,
    );
  } finally {
    scratch.free();
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

function kernels(backendName: 'wasm' | 'cpu'): tf.KernelConfig[] {
  const storage = (backend: object) =>
    backendName === 'wasm' ? wasmStorage(backend as WasmBackendLike) : cpuStorage(backend as CpuBackendLike);
  const make = (kernelName: string, fn: (args: KernelArgs) => tf.TensorInfo[]): tf.KernelConfig => ({
    kernelName,
    backendName,
    kernelFunc: fn as unknown as tf.KernelFunc,
  });
  return [
    make(BatchNormTrain, (args) =>
      forward(storage(args.backend), args.inputs, args.attrs as unknown as BatchNormTrainAttrs, false),
    ),
    make(BatchNormReluTrain, (args) =>
      forward(storage(args.backend), args.inputs, args.attrs as unknown as BatchNormTrainAttrs, true),
    ),
    make(BatchNormTrainGrad, (args) =>
      backward(storage(args.backend), args.inputs, args.attrs as unknown as BatchNormTrainGradAttrs),
    ),
  ];
}

function gradient(kernelName: string, relu: boolean): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'gamma'],
    // y (for the ReLU's mask), mean, variance; without the ReLU y is not needed.
    outputsToSave: [relu, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = (Array.isArray(dys) ? dys[0] : dys)!;
      const [x, gamma, ...outs] = saved;
      const [y, mean, variance] = relu ? outs : [undefined, ...outs];
      // The residual is an input exactly when the forward call had one; its gradient is g.
      const residual = (attrs as { residual?: boolean }).residual === true;
      const gradAttrs: BatchNormTrainGradAttrs = {
        epsilon: (attrs as unknown as BatchNormTrainAttrs).epsilon,
        relu,
        residual,
      };
      const inputs: tf.NamedTensorMap = { dy, x: x!, gamma: gamma!, mean: mean!, variance: variance! };
      if (y) inputs.y = y;
      const grads = tf
        .engine()
        .runKernel(BatchNormTrainGrad, inputs, gradAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const [dx, dGamma, dBeta, dRes] = grads;
      const out: Record<string, () => tf.Tensor> = {
        x: () => dx!,
        gamma: () => dGamma!,
        beta: () => dBeta!,
      };
      if (residual) out.residual = () => (relu ? dRes! : dy);
      return out;
    },
  };
}

let registered = false;

/** Registers the kernels (wasm and cpu) and their gradients. Idempotent. */
export function registerBatchNormTrainKernels(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['wasm', 'cpu'] as const) {
    for (const config of kernels(backendName)) {
      if (!tf.getKernel(config.kernelName, backendName)) tf.registerKernel(config);
    }
  }
  tf.registerGradient(gradient(BatchNormTrain, false));
  tf.registerGradient(gradient(BatchNormReluTrain, true));
}

/** Whether the fused kernels run on the current backend (others use the unfused tfjs ops). */
export function batchNormTrainSupported(): boolean {
  registerBatchNormTrainKernels();
  return tf.getKernel(BatchNormReluTrain, tf.getBackend()) !== undefined;
}

/**
 * act(batchNorm(x) + residual) with batch statistics, and those statistics (biased variance, as
 * tf.moments). `x` is [..., C]; gamma, beta are [C]; residual, if given, has x's shape.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  residual?: tf.Tensor,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (residual && !relu) throw new Error('batchNormTrain: a residual is only fused with the ReLU');
  if (residual && !tf.util.arraysEqual(residual.shape, x.shape)) {
    throw new Error(`batchNormTrain: residual shape ${residual.shape} differs from x ${x.shape}`);
  }
  registerBatchNormTrainKernels();
  const inputs: tf.NamedTensorMap = { x, gamma, beta };
  if (residual) inputs.residual = residual;
  const attrs = { epsilon, residual: residual !== undefined };
  const [y, mean, variance] = tf
    .engine()
    .runKernel(relu ? BatchNormReluTrain : BatchNormTrain, inputs, attrs) as tf.Tensor[];
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
