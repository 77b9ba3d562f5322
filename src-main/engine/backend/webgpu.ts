import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';

import { probeGpuQuietly } from './gpu-probe';
import { registerGpuGradients } from './gpu-gradients';
import { registerWebgpuKernels } from './webgpu-kernels';

/** The optional npm package with Dawn's Node bindings (a prebuilt dawn.node that needs a Vulkan driver). */
const DAWN_PKG = 'webgpu';

// The few parts of the WebGPU API used here, so this file type-checks without @webgpu/types, which
// arrives only with the optional package.
interface DawnAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface DawnAdapter {
  features: ReadonlySet<string>;
  limits: Record<string, number>;
  info?: DawnAdapterInfo;
  isFallbackAdapter?: boolean;
  requestDevice(descriptor: object): Promise<unknown>;
}
interface DawnGpu {
  requestAdapter(options?: {
    powerPreference?: 'high-performance' | 'low-power';
  }): Promise<DawnAdapter | null>;
}
interface DawnPackage {
  create(options: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

let started: Promise<{ adapter: string }> | null = null;

/**
 * Starts tfjs's WebGPU backend on Dawn and makes it current; resolves with the adapter's name, or
 * rejects with a one-line Error (package absent, no Vulkan driver, only a software adapter).
 * The first outcome is kept: Dawn's instance lives for the process.
 */
export function startWebgpu(options: { quiet?: boolean } = {}): Promise<{ adapter: string }> {
  started ??= start(options.quiet ?? false);
  return started;
}

/**
 * `quiet` (the 'auto' choice): look for a GPU in a child process first (backend/gpu-probe.ts), so that a
 * machine without one gets no C++ warnings in its run logs; Dawn starts here only when there is a GPU.
 */
async function start(quiet: boolean): Promise<{ adapter: string }> {
  // Without a Vulkan loader Dawn finds no adapter anyway, after printing a C++ warning to stderr
  // that no JS code can catch; 'auto' on every CPU-only Linux machine would show it.
  if (process.platform === 'linux' && !vulkanLoaderFound()) {
    throw new Error(
      `no Vulkan loader (${VULKAN_LOADER}) found, which ${DAWN_PKG} (Dawn) needs to reach a GPU`,
    );
  }
  if (quiet) {
    const probe = probeGpuQuietly(DAWN_PKG);
    if (!probe.ok) throw new Error(probe.reason);
  }
  const gpu = installNavigatorGpu(await loadDawn());
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      `${DAWN_PKG} found no GPU adapter (Dawn needs a Vulkan driver: libvulkan.so.1 and a GPU ICD)`,
    );
  }
  const info = adapter.info ?? {};
  const name = adapterName(info);
  // A software rasteriser (SwiftShader, llvmpipe) is a CPU in disguise, slower than the wasm backend.
  if (adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(name)) {
    throw new Error(`${DAWN_PKG} found only a software adapter (${name}), no GPU`);
  }
  // The same device request as tfjs-backend-webgpu's own factory (base.ts), on the adapter checked above.
  const limitNames = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  const device = await adapter.requestDevice({
    requiredFeatures: ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f)),
    requiredLimits: Object.fromEntries(limitNames.map((l) => [l, adapter.limits[l]])),
  });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // Importing the package with navigator.gpu present registers its own factory, which would ask for
  // an adapter again; ours reuses the checked one. Priority 0: never picked by an implicit tf.ready().
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  type Args = ConstructorParameters<typeof WebGPUBackend>;
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as Args[0], info as Args[1]), 0);
  // Measured on an H100 (SimCLR, ResNet-18 w16, batch 128): 227 → 375 images/s with both.
  registerWebgpuKernels();
  registerGpuGradients();
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error(`the WebGPU backend failed to initialise on ${name} (see the warning above)`);
  }
  return { adapter: name };
}

const VULKAN_LOADER = 'libvulkan.so.1';

/**
 * Whether the dynamic linker can find the Vulkan loader: in LD_LIBRARY_PATH, in the ldconfig cache
 * (which names every library it indexes), or in the default library folders.
 */
function vulkanLoaderFound(): boolean {
  const envDirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const defaults = ['/lib64', '/usr/lib64', '/lib', '/usr/lib'].flatMap((d) => [
    d,
    path.join(d, `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`),
  ]);
  if ([...envDirs, ...defaults].some((d) => fs.existsSync(path.join(d, VULKAN_LOADER)))) return true;
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes(VULKAN_LOADER);
  } catch {
    return false;
  }
}

/** Loads the optional package by a variable specifier, so tsc and bundlers leave it alone. */
async function loadDawn(): Promise<DawnPackage> {
  const specifier: string = DAWN_PKG;
  try {
    return (await import(/* @vite-ignore */ specifier)) as DawnPackage;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const message = String(e?.message ?? err);
    // Node quotes the missing package's name; a missing dawn.node inside it is a broken install instead.
    const notFound = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';
    if (notFound && message.includes(`'${DAWN_PKG}'`)) {
      throw new Error(`the optional package ${DAWN_PKG} is not installed`);
    }
    throw new Error(`the optional package ${DAWN_PKG} failed to load: ${message.split('\n')[0]}`);
  }
}

/**
 * tfjs-backend-webgpu reads navigator.gpu and the GPUBufferUsage/GPUMapMode/... constants as browser
 * globals; the package's README installs them this way. Node 20 has no navigator, Node 21+ has one.
 */
function installNavigatorGpu(dawn: DawnPackage): DawnGpu {
  const scope = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in scope)) scope[key] = value;
  }
  const gpu = dawn.create([]);
  const navigator = scope.navigator as Record<string, unknown> | undefined;
  if (navigator) Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(scope, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

/** Dawn reports the GPU as `device` (e.g. 'nvidia-h100-80gb-hbm3') and the driver as `description`. */
function adapterName(info: DawnAdapterInfo): string {
  const clean = (s: string | undefined) => s?.trim() ?? '';
  const gpu = clean(info.device) || [clean(info.vendor), clean(info.architecture)].filter(Boolean).join(' ');
  const driver = clean(info.description);
  if (gpu && driver) return `${gpu} (${driver})`;
  return gpu || driver || 'unknown adapter';
}
