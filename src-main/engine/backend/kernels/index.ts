import * as tf from '@tensorflow/tfjs-core';

import { wasmConv2DBackpropFilter } from './conv2d-backprop-filter';
import { wasmConv2DBackpropInput } from './conv2d-backprop-input';
import { dnnlConvWrappers } from './dnnl-conv';
import { dnnlBatchMatMul } from './dnnl-mat-mul';
import { fastWasmDepthToSpace } from './depth-to-space';
import { fixedWasmGatherV2 } from './gather-v2';
import { sharingWasmCast, wasmIdentity } from './identity';
import { fastWasmMatMul } from './mat-mul';
import { wasmMaxPoolGrad } from './max-pool-grad';
import { wasmMaxPoolWithArgmax } from './max-pool-with-argmax';
import { fastWasmTile } from './tile';
import { fastWasmTranspose } from './transpose';
import { wasmUnsortedSegmentSum } from './unsorted-segment-sum';

/** Kernels tfjs-backend-wasm 4.22 lacks and training needs; a newer native one takes precedence. */
const missing: readonly tf.KernelConfig[] = [wasmConv2DBackpropFilter, wasmUnsortedSegmentSum];

/** Native wasm kernels replaced outright: wrong where it matters (max pool), far too slow, or copying. */
const replacements: readonly tf.KernelConfig[] = [
  wasmIdentity,
  wasmMaxPoolGrad,
  wasmMaxPoolWithArgmax,
  wasmConv2DBackpropInput,
];

/** Native wasm kernels wrong (GatherV2) or slow (the rest) for some inputs; each wraps the native one. */
const wrappers: readonly [string, (native: tf.KernelConfig) => tf.KernelConfig][] = [
  [tf.GatherV2, fixedWasmGatherV2],
  [tf.Tile, fastWasmTile],
  [tf.BatchMatMul, fastWasmMatMul],
  [tf._FusedMatMul, fastWasmMatMul],
  [tf.Cast, sharingWasmCast],
  [tf.DepthToSpace, fastWasmDepthToSpace],
  [tf.Transpose, fastWasmTranspose],
  // Last: where the native addon is built these run the convolutions and BatchMatMul, with the kernels
  // above as their fallback.
  ...dnnlConvWrappers,
  [tf.BatchMatMul, dnnlBatchMatMul],
];

/** Names of the wasm kernels this project adds, replaces or wraps. */
export const wasmKernelNames: readonly string[] = [
  ...new Set([
    ...missing.map((k) => k.kernelName),
    ...replacements.map((k) => k.kernelName),
    ...wrappers.map(([name]) => name),
  ]),
];

/** The native kernels set aside by registerWasmKernels, for comparisons in tests and benchmarks. */
const displaced = new Map<string, tf.KernelConfig>();

/** The kernel this module put in place under each name, once it has registered them. */
const installed = new Map<string, tf.KernelConfig>();

/**
 * Registers the project's wasm kernels. Idempotent: a second call only puts back those that were
 * swapped out since (restoreNativeWasmKernel). Kernel lookup happens per call, so this works before or
 * after the wasm backend is initialised; a wrapper keeps the native setupFunc, which initialisation
 * still has to run.
 */
export function registerWasmKernels(): void {
  if (installed.size > 0) {
    for (const [name, config] of installed) {
      const current = tf.getKernel(name, 'wasm');
      if (current?.kernelFunc === config.kernelFunc) continue;
      if (current) tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(config);
    }
    return;
  }
  const touched = new Set<string>();
  for (const config of missing) {
    if (tf.getKernel(config.kernelName, 'wasm')) continue; // a newer tfjs has its own
    tf.registerKernel(config);
    touched.add(config.kernelName);
  }
  for (const config of replacements) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current) {
      displaced.set(config.kernelName, current);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
    touched.add(config.kernelName);
  }
  // Several wrappers may stack on one name (BatchMatMul); each wraps what is registered at its turn.
  for (const [name, wrap] of wrappers) {
    const current = tf.getKernel(name, 'wasm');
    if (!current) continue;
    if (!displaced.has(name)) displaced.set(name, current); // tfjs's own, not a kernel of ours
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrap(current));
    touched.add(name);
  }
  for (const name of touched) installed.set(name, tf.getKernel(name, 'wasm')!);
}

/**
 * Puts tfjs-backend-wasm's own kernel back in place of the project's (undone by registerWasmKernels),
 * so tests and benchmarks can compare the two. Call with the wasm backend current.
 */
export function restoreNativeWasmKernel(name: string): void {
  const native = displaced.get(name);
  if (!native) throw new Error(`No native wasm kernel ${name} was displaced`);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(native);
  // A kernel replaced before the backend started never had its setup (its C function binding) run.
  native.setupFunc?.(tf.findBackend('wasm') as tf.KernelBackend);
}
