import './gradients';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import type { BackendPreference } from '../../domain';

import { loadNative, type NativePackage } from './native';
import { dnnlStatus } from './dnnl';
import { startWasm } from './wasm';
import { startWebgpu } from './webgpu';
import { startVulkan, vulkanDevice } from './vulkan';

export { registerWasmKernels, restoreNativeWasmKernel, wasmKernelNames } from './kernels';

export interface BackendInfo {
  /** The tfjs backend actually in use: 'tensorflow' | 'vulkan' | 'webgpu' | 'wasm' | 'cpu'. */
  name: string;
  /** Human-readable, for logs and the UI, e.g. 'CUDA GPU (tfjs-node-gpu)'. */
  device: string;
  /** The kernels run on a GPU (not a CPU, nor a Vulkan device in software). */
  gpu: boolean;
}

const GPU_PKG: NativePackage = '@tensorflow/tfjs-node-gpu';
const CPU_PKG: NativePackage = '@tensorflow/tfjs-node';

const chosen = new Map<BackendPreference, Promise<BackendInfo>>();

/**
 * Picks and initialises the tfjs backend. 'auto' takes the fastest that works here:
 * tfjs-node-gpu with a CUDA GPU, then tfjs-node, then the project's vulkan backend on a discrete GPU,
 * then WebGPU (Dawn, through the optional 'webgpu' package, on a GPU with a Vulkan driver), then wasm
 * (with the project's kernels), then pure JS.
 * 'tensorflow' and 'webgpu' accept only their own backend and reject with a one-line Error when it
 * cannot start.
 * Idempotent: repeated calls reuse the first result and only make that backend current again.
 */
export async function initBackend(preference: BackendPreference): Promise<BackendInfo> {
  let pending = chosen.get(preference);
  if (!pending) {
    pending = choose(preference);
    chosen.set(preference, pending);
    pending.catch(() => chosen.delete(preference)); // a failure may be fixed by the next attempt
  }
  const info = await pending;
  if (tf.getBackend() !== info.name && !(await tf.setBackend(info.name))) {
    throw new Error(`The ${info.name} backend could not be made current again`);
  }
  return info;
}

async function choose(preference: BackendPreference): Promise<BackendInfo> {
  switch (preference) {
    case 'tensorflow':
      return native();
    case 'webgpu':
      return webgpu();
    case 'vulkan':
      return vulkan();
    case 'wasm':
      return wasm();
    case 'cpu':
      return cpu();
    case 'auto':
      return (
        (await native().catch(() => null)) ??
        (autoTakesVulkan(vulkanDevice()) ? await vulkan().catch(() => null) : null) ??
        (await webgpu({ quiet: true }).catch(() => null)) ??
        (await wasm().catch(() => null)) ??
        cpu()
      );
    default:
      throw new Error(
        `Unknown backend preference '${String(preference)}' (auto, tensorflow, vulkan, webgpu, wasm, cpu)`,
      );
  }
}

async function native(): Promise<BackendInfo> {
  const gpu = await loadNative(GPU_PKG);
  if (gpu.ok) {
    // Both packages register a backend called 'tensorflow', so with the GPU build loaded we keep it
    // even without a GPU: it is then the same libtensorflow CPU runtime that tfjs-node provides.
    return gpu.gpu
      ? { name: 'tensorflow', device: 'CUDA GPU (tfjs-node-gpu)', gpu: true }
      : {
          name: 'tensorflow',
          device: 'CPU via libtensorflow (tfjs-node-gpu, no CUDA GPU found)',
          gpu: false,
        };
  }
  const cpuPkg = await loadNative(CPU_PKG);
  if (cpuPkg.ok) return { name: 'tensorflow', device: 'CPU via libtensorflow (tfjs-node)', gpu: false };
  throw new Error(
    `Backend 'tensorflow' needs the optional package ${CPU_PKG} or ${GPU_PKG}, and neither loaded ` +
      `(${cpuPkg.reason}; ${gpu.reason}); install one, or use 'auto', 'wasm' or 'cpu'.`,
  );
}

async function webgpu(options: { quiet?: boolean } = {}): Promise<BackendInfo> {
  try {
    const { adapter } = await startWebgpu(options);
    return { name: 'webgpu', device: `GPU: ${adapter}, WebGPU via Dawn`, gpu: true };
  } catch (err) {
    throw new Error(`Backend 'webgpu' cannot start: ${(err as Error).message}; use 'auto', 'wasm' or 'cpu'.`);
  }
}

/**
 * Whether `auto` takes the project's Vulkan backend: on a discrete GPU, where it was measured (an H200:
 * a SimCLR ResNet-18 w16 step at 3,443 images/s at batch 128, against 342 for WebGPU on an H100 and
 * about 800 for wasm on 2 cores). A CPU implementation such as lavapipe is far slower than wasm, and an
 * integrated GPU is not measured, so neither is taken.
 */
export function autoTakesVulkan(device: ReturnType<typeof vulkanDevice>): boolean {
  return device.addon !== null && device.info.type === 'discrete';
}

/** The project's Vulkan backend, on whatever Vulkan device the addon opens (lavapipe's CPU one too). */
async function vulkan(): Promise<BackendInfo> {
  try {
    const { info, deviceKernels, kernels } = await startVulkan();
    const kind = info.type === 'cpu' ? 'CPU (a Vulkan device in software)' : `GPU (${info.type})`;
    const memory = info.deviceLocal
      ? 'device memory, mapped'
      : 'host memory, read by the device over the bus';
    return {
      name: 'vulkan',
      device:
        `${kind}: ${info.name}, Vulkan ${info.apiVersion}, driver ${info.driver}; ` +
        `${deviceKernels} of ${kernels} kernels on the device, the rest on the cpu; ` +
        `tensors in ${gibibytes(info.memoryBytes)} of ${memory}` +
        (info.stagedReads ? ', read back through host memory' : ''),
      gpu: info.type !== 'cpu',
    };
  } catch (err) {
    throw new Error(`Backend 'vulkan' cannot start: ${(err as Error).message}; use 'auto', 'wasm' or 'cpu'.`);
  }
}

async function wasm(): Promise<BackendInfo> {
  const { simd, threads } = await startWasm();
  const features = `wasm${simd ? ' SIMD' : ' (no SIMD)'}, ${threads} thread${threads === 1 ? '' : 's'}`;
  const { addon, why } = dnnlStatus();
  const kernels = addon
    ? `convolutions, matrix products and batch norm native (oneDNN ${addon.version()})`
    : `all kernels in wasm: ${why}`;
  return { name: 'wasm', device: `CPU: ${features}; ${kernels} (${cpuModel()})`, gpu: false };
}

async function cpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error('The pure-JS cpu backend failed to initialise');
  return { name: 'cpu', device: 'CPU: pure JS', gpu: false };
}

function gibibytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 10 * 2 ** 30 ? 1 : 0)} GiB`;
}

function cpuModel(): string {
  const model = os.cpus()[0]?.model?.trim().replace(/\s+/g, ' ');
  return model || 'unknown CPU';
}
