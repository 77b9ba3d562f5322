import * as tf from '@tensorflow/tfjs-core';

import { wasmConv2DBackpropFilter } from './conv2d-backprop-filter';
import { wasmUnsortedSegmentSum } from './unsorted-segment-sum';

/** Kernels the project adds to the wasm backend: the ones training needs that tfjs-backend-wasm lacks. */
export const wasmKernels: readonly tf.KernelConfig[] = [wasmConv2DBackpropFilter, wasmUnsortedSegmentSum];

/**
 * Registers the project's wasm kernels. Idempotent. A kernel that a newer tfjs-backend-wasm provides
 * itself is left alone, so an upgrade takes the native one. Kernel lookup happens per call, so this
 * works before or after the wasm backend is initialised.
 */
export function registerWasmKernels(): void {
  for (const config of wasmKernels) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
}
