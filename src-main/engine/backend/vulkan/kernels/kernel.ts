import type * as tf from '@tensorflow/tfjs-core';

import type { VulkanBackend } from '../backend';

/** The arguments a vulkan kernel receives. */
export type VulkanKernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: VulkanBackend;
};

/**
 * A kernel with a shader: it returns null for inputs its shader does not cover (a dtype, a rank), and
 * the cpu fallback runs them instead.
 */
export interface VulkanKernel {
  kernelName: string;
  run(args: VulkanKernelArgs): tf.TensorInfo | tf.TensorInfo[] | null;
}

/** The dtypes a buffer holds as 4-byte words, which shaders that only move values take alike. */
export const wordTypes: ReadonlySet<tf.DataType> = new Set<tf.DataType>(['float32', 'int32', 'bool']);

/** Row-major strides of `shape`, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  return strides;
}

/** `values` padded with `fill` to `length` entries (the shaders' push constants hold six per operand). */
export function padded(values: readonly number[], length: number, fill = 0): number[] {
  return [...values, ...new Array<number>(Math.max(0, length - values.length)).fill(fill)];
}

/** Push constants of `uints` as 32-bit unsigned words, then `floats` as float32 (`uint …; float …;`). */
export function pushConstants(uints: readonly number[], floats: readonly number[]): Uint32Array {
  const push = new Uint32Array(uints.length + floats.length);
  push.set(uints);
  new Float32Array(push.buffer).set(floats, uints.length);
  return push;
}
