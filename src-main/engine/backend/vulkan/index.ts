import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { registerGpuGradients } from '../gpu-gradients';
import { VulkanBackend } from './backend';
import { runOnCpu } from './cpu-fallback';
import { vulkanDevice, type VulkanDeviceInfo } from './device';
import type { VulkanKernelArgs } from './kernels/kernel';
import type { ShaderTime } from './pipelines';
import { vulkanKernels } from './kernels';

export { countFallbacks, type FallbackCount } from './cpu-fallback';
export {
  vulkanDevice,
  VULKAN_ENV,
  type VulkanAddon,
  type VulkanDeviceInfo,
  type VulkanStats,
} from './device';
export { vulkanKernels } from './kernels';
export type { ShaderTime } from './pipelines';

export const VULKAN_BACKEND = 'vulkan';

/** Each shader's GPU time while `fn` runs on the (current) vulkan backend, slowest first. */
export function timeVulkanShaders(fn: () => Promise<void>): Promise<ShaderTime[]> {
  const backend = tf.backend();
  if (!(backend instanceof VulkanBackend)) throw new Error('the vulkan backend is not the current one');
  return backend.shaders.timeShaders(fn);
}

/**
 * Registers the `vulkan` backend (once) on the process's Vulkan device and makes it current. Every op
 * the cpu backend has is registered: with its shader where the project has one, else through the cpu
 * fallback. Throws one line where there is no device.
 */
export async function startVulkan(): Promise<{
  info: VulkanDeviceInfo;
  deviceKernels: number;
  kernels: number;
}> {
  const device = vulkanDevice();
  if (!device.addon) throw new Error(device.why);
  if (!tf.findBackendFactory(VULKAN_BACKEND)) {
    const backend = new VulkanBackend(device.addon, device.info);
    tf.registerBackend(VULKAN_BACKEND, () => backend);
    registerKernels();
    // Sum and Mean gradients broadcast on the device instead of uploading a host-built ones(x.shape):
    // each upload waited for the recorded step (7 of a ConvNet step's 10 submissions).
    registerGpuGradients();
  }
  if (!(await tf.setBackend(VULKAN_BACKEND))) throw new Error('The vulkan backend failed to initialise');
  return {
    info: device.info,
    deviceKernels: vulkanKernels.length,
    kernels: tf.getKernelsForBackend(VULKAN_BACKEND).length,
  };
}

/**
 * The project's fused kernels for the cpu and wasm backends (`ContrastLab…`) are not offered on vulkan
 * through the fallback: the layers and optimisers use them wherever the current backend has them, and on
 * the cpu each would read its activations back. Vulkan has them all as shaders (the batch-norm training
 * kernels, the optimisers' and the momentum updates, the scaled sum of batch norm's running statistics).
 */
const cpuOnly = (kernelName: string): boolean => kernelName.startsWith('ContrastLab');

function registerKernels(): void {
  const shaders = new Map(vulkanKernels.map((k) => [k.kernelName, k]));
  const names = new Set([
    ...tf
      .getKernelsForBackend('cpu')
      .map((k) => k.kernelName)
      .filter((name) => !cpuOnly(name)),
    ...shaders.keys(),
  ]);
  for (const kernelName of names) {
    const kernel = shaders.get(kernelName);
    tf.registerKernel({
      kernelName,
      backendName: VULKAN_BACKEND,
      kernelFunc: (args) => {
        const vulkanArgs = { ...args, attrs: args.attrs ?? {} } as VulkanKernelArgs;
        return kernel?.run(vulkanArgs) ?? runOnCpu(kernelName, vulkanArgs);
      },
    });
  }
}
