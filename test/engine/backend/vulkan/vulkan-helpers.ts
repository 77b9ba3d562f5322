import * as tf from '@tensorflow/tfjs-core';

import { initBackend } from '../../../../src-main/engine/backend';
import { countFallbacks, vulkanDevice } from '../../../../src-main/engine/backend/vulkan';
import { relativeError } from '../compare';

/** Whether this machine has a Vulkan device (lavapipe counts). CI installs Mesa's and requires it. */
export const vulkanAvailable = vulkanDevice().addon !== null;

/** Runs `fn` on a backend and reads its outputs back, with their shapes and dtypes. */
export async function evaluateOn(
  backend: 'cpu' | 'vulkan',
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ shapes: number[][]; dtypes: string[]; values: Float32Array[] }> {
  await initBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  const result = { shapes: list.map((t) => t.shape), dtypes: list.map((t) => t.dtype as string), values };
  tf.dispose(list);
  return result;
}

/**
 * Runs `fn` on cpu (the reference) and on vulkan; returns the worst relative error over the outputs, and
 * the kernels that fell back to the cpu on the vulkan side (none, where a test means to prove shaders).
 */
export async function compareVulkanToCpu(
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ error: number; fellBack: string[] }> {
  const expected = await evaluateOn('cpu', fn);
  const fallbacks = countFallbacks();
  const actual = await evaluateOn('vulkan', fn);
  const fellBack = fallbacks().map((k) => k.name);
  if (JSON.stringify(expected.shapes) !== JSON.stringify(actual.shapes)) {
    throw new Error(
      `shapes differ: cpu ${JSON.stringify(expected.shapes)}, vulkan ${JSON.stringify(actual.shapes)}`,
    );
  }
  if (JSON.stringify(expected.dtypes) !== JSON.stringify(actual.dtypes)) {
    throw new Error(`dtypes differ: cpu ${expected.dtypes}, vulkan ${actual.dtypes}`);
  }
  const error = Math.max(0, ...expected.values.map((v, i) => relativeError(v, actual.values[i]!)));
  return { error, fellBack };
}

/** How many dispatches `fn` records on the vulkan device (its inputs made beforehand). */
export function dispatchesOf(fn: () => void): number {
  const addon = vulkanDevice().addon!;
  const before = addon.stats().dispatches;
  fn();
  return addon.stats().dispatches - before;
}
