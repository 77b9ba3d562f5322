import * as tf from '@tensorflow/tfjs-core';

import type { VulkanKernelArgs } from './kernels/kernel';

/**
 * Runs a kernel that has no shader (yet) on the cpu backend: its inputs are read back (which submits
 * what is recorded), the cpu kernel runs, and its outputs are written to new device buffers. Correct for
 * every op tfjs's cpu backend has, at the price of a submission and two copies per call; `fallbackCalls`
 * counts them, so a profile shows which kernels a step still lacks.
 */
export function runOnCpu(kernelName: string, args: VulkanKernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const kernel = tf.getKernel(kernelName, 'cpu');
  if (!kernel) throw new Error(`The vulkan backend has no kernel ${kernelName}, and neither has cpu`);
  const cpu = tf.engine().findBackend('cpu') as tf.KernelBackend & {
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
  };
  // The cpu backend greets its first write with advice to install tfjs-node, which is not what is
  // happening here.
  (cpu as unknown as { firstUse: boolean }).firstUse = false;
  const vulkan = args.backend;
  fallbackCalls.set(kernelName, (fallbackCalls.get(kernelName) ?? 0) + 1);

  const created = new Set<object>();
  const toCpu = (input: tf.TensorInfo): tf.TensorInfo => {
    const info = cpu.makeTensorInfo(input.shape, input.dtype, vulkan.readSync(input.dataId));
    created.add(info.dataId);
    return info;
  };
  // Most kernels name their inputs; a few (Concat, AddN, Pack) take an array of them.
  const given = args.inputs as tf.NamedTensorInfoMap | tf.TensorInfo[];
  const inputs = Array.isArray(given)
    ? given.map(toCpu)
    : Object.fromEntries(
        Object.entries(given).flatMap(([name, input]) => (input ? [[name, toCpu(input)]] : [])),
      );
  try {
    const result = kernel.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      attrs: args.attrs,
      backend: cpu,
    });
    const outputs = Array.isArray(result) ? result : [result];
    for (const out of outputs) created.add(out.dataId);
    const moved = outputs.map((out) => vulkan.makeTensorInfo(out.shape, out.dtype, cpu.readSync(out.dataId)));
    return Array.isArray(result) ? moved : moved[0]!;
  } finally {
    for (const dataId of created) cpu.disposeData(dataId, true);
  }
}

/** How many times each kernel ran on the cpu in this process, for profiles and tests. */
export const fallbackCalls = new Map<string, number>();

/** A kernel that ran on the cpu, and how many times. */
export interface FallbackCount {
  name: string;
  calls: number;
}

/** Starts counting fallbacks: the function returned gives those since, most calls first. */
export function countFallbacks(): () => FallbackCount[] {
  const before = new Map(fallbackCalls);
  return () =>
    [...fallbackCalls]
      .map(([name, calls]) => ({ name, calls: calls - (before.get(name) ?? 0) }))
      .filter((k) => k.calls > 0)
      .sort((a, b) => b.calls - a.calls);
}
