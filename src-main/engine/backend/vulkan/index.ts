import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { VulkanBackend } from './backend';
import { runOnCpu } from './cpu-fallback';
import { vulkanDevice, type VulkanDeviceInfo } from './device';
import type { VulkanKernelArgs } from './kernels/kernel';
import { vulkanKernels } from './kernels';

export { fallbackCalls } from './cpu-fallback';
export { vulkanDevice, VULKAN_ENV, type VulkanAddon, type VulkanDeviceInfo } from './device';
export { vulkanKernels } from './kernels';

export const VULKAN_BACKEND = 'vulkan';

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
  }
  if (!(await tf.setBackend(VULKAN_BACKEND))) throw new Error('The vulkan backend failed to initialise');
  return {
    info: device.info,
    deviceKernels: vulkanKernels.length,
    kernels: tf.getKernelsForBackend(VULKAN_BACKEND).length,
  };
}

function registerKernels(): void {
  const shaders = new Map(vulkanKernels.map((k) => [k.kernelName, k]));
  const names = new Set([...tf.getKernelsForBackend('cpu').map((k) => k.kernelName), ...shaders.keys()]);
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
