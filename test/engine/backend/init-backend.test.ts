import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';

import {
  autoTakesVulkan,
  initBackend,
  registerWasmKernels,
  wasmKernelNames,
} from '../../../src-main/engine/backend';
import {
  vulkanDevice,
  type VulkanAddon,
  type VulkanDeviceInfo,
} from '../../../src-main/engine/backend/vulkan';

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

// The native packages are optional: absent on machines without internet at install time (ours),
// present on a user's machine. Each branch below only runs where it applies.
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

/** Whether this machine has what the webgpu backend needs: the optional package and a GPU adapter. */
async function webgpuAdapterFound(): Promise<boolean> {
  const specifier: string = 'webgpu';
  try {
    const dawn = (await import(/* @vite-ignore */ specifier)) as {
      create(options: string[]): { requestAdapter(): Promise<unknown> };
    };
    return (await dawn.create([]).requestAdapter()) !== null;
  } catch {
    return false;
  }
}

// Asked through Dawn only where a Vulkan loader exists, so machines without one see no C++ warning.
const vulkanDirs = [
  '/usr/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
];
const webgpuAvailable =
  process.platform !== 'linux' || vulkanDirs.some((d) => existsSync(`${d}/libvulkan.so.1`))
    ? await webgpuAdapterFound()
    : false;

describe('initBackend', () => {
  it("'cpu' selects the pure-JS backend", async () => {
    const info = await initBackend('cpu');
    expect(info).toEqual({ name: 'cpu', device: 'CPU: pure JS', gpu: false });
    expect(tf.getBackend()).toBe('cpu');
  });

  it("'wasm' selects wasm and describes the CPU", async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.device).toMatch(
      /^CPU: wasm( SIMD| \(no SIMD\)), \d+ threads?; (convolutions, matrix products and batch norm native \(oneDNN .+\)|all kernels in wasm: .+) \(.+\)$/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('is idempotent and switches back to a backend chosen earlier', async () => {
    const first = await initBackend('wasm');
    await initBackend('cpu');
    expect(await initBackend('wasm')).toEqual(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it("'wasm' has the project's kernels registered, once, without warnings", async () => {
    const warn = vi.spyOn(console, 'warn');
    await initBackend('wasm');
    registerWasmKernels();
    registerWasmKernels();
    for (const name of wasmKernelNames) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("'auto' takes libtensorflow when installed, else vulkan on a discrete GPU, else WebGPU on a GPU, else wasm", async () => {
    const info = await initBackend('auto');
    // An installed native package can still fail to load (e.g. tfjs-node-gpu without CUDA libraries).
    const allowed = [
      'wasm',
      ...(nativeInstalled ? ['tensorflow'] : []),
      ...(autoTakesVulkan(vulkanDevice()) ? ['vulkan'] : []),
      ...(webgpuAvailable ? ['webgpu'] : []),
    ];
    expect(allowed).toContain(info.name);
    // lavapipe (CI's Vulkan device) runs on the CPU: slower than wasm, so never auto's choice.
    const device = vulkanDevice();
    if (device.addon && device.info.type === 'cpu') expect(info.name).not.toBe('vulkan');
  });

  it("'auto' takes vulkan on a discrete GPU only", () => {
    const on = (type: VulkanDeviceInfo['type']) =>
      autoTakesVulkan({ addon: {} as VulkanAddon, info: { type } as VulkanDeviceInfo });
    expect(on('discrete')).toBe(true);
    expect(['integrated', 'virtual', 'cpu', 'other'].map((t) => on(t as VulkanDeviceInfo['type']))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(autoTakesVulkan({ addon: null, why: 'no Vulkan loader' })).toBe(false);
  });

  it.skipIf(webgpuAvailable)(
    "'webgpu' rejects with one clear line without a GPU adapter, and 'auto' falls through",
    async () => {
      const error = await initBackend('webgpu').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/^Backend 'webgpu' cannot start: /);
      expect(message).toMatch(/Vulkan|not installed|no GPU adapter|software adapter/);
      expect(message).toContain("use 'auto', 'wasm' or 'cpu'");
      const auto = await initBackend('auto');
      expect(auto.name).not.toBe('webgpu');
      if (!nativeInstalled) expect(auto.name).toBe('wasm');
      expect(tf.getBackend()).toBe(auto.name);
    },
  );

  it.runIf(webgpuAvailable)("'webgpu' runs on the GPU adapter and names it", async () => {
    const info = await initBackend('webgpu');
    expect(info.name).toBe('webgpu');
    expect(info.device).toMatch(/^GPU: .+, WebGPU via Dawn$/);
    expect(tf.getBackend()).toBe('webgpu');
  });

  it.skipIf(nativeInstalled)(
    "'tensorflow' rejects with one clear line when the native packages are absent",
    async () => {
      const error = await initBackend('tensorflow').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('@tensorflow/tfjs-node');
      expect(message).toContain('optional');
      expect(message).toContain('not installed');
    },
  );

  it.runIf(nativeInstalled)(
    "'tensorflow' uses libtensorflow when a native package is installed",
    async () => {
      const info = await initBackend('tensorflow');
      expect(info.name).toBe('tensorflow');
      expect(info.device).toMatch(/libtensorflow|CUDA GPU/);
    },
  );
});
