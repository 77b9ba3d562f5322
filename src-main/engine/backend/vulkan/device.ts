import { createRequire } from 'node:module';

/**
 * The native addon (src-main/vulkan-addon, the optional dependency @contrastlab/vulkan): one Vulkan
 * compute device per process. It knows buffers, pipelines and dispatches, nothing of tensors; it records
 * every dispatch into one command buffer and submits it when a buffer it writes is read back.
 */
export interface VulkanAddon {
  /** Opens the device once; throws one line saying why there is none. */
  open(): VulkanDeviceInfo;
  /** A buffer of at least `bytes` bytes, reused from released ones of the same size class. */
  allocate(bytes: number): number;
  release(buffer: number): void;
  /** Host copies. A read waits for recorded work that uses the buffer; a write too, unless it is small
   * (up to 64 KiB), which is recorded after that work instead. */
  write(buffer: number, data: ArrayBufferView): void;
  read(buffer: number, data: ArrayBufferView): void;
  /** A compute pipeline from SPIR-V, with `bindings` storage buffers and `pushBytes` of push constants. */
  createPipeline(spirv: Uint32Array, bindings: number, pushBytes: number): number;
  /** Records one dispatch (after a barrier on everything before it); nothing runs until a flush. */
  dispatch(
    pipeline: number,
    buffers: Uint32Array,
    push: ArrayBufferView,
    x: number,
    y: number,
    z: number,
  ): void;
  flush(): void;
  stats(): VulkanStats;
  /** GPU timestamps after every dispatch while on; throws where the queue writes none. */
  setTiming(on: boolean): void;
  /** Each pipeline's dispatches and device milliseconds since timing went on or was last taken. */
  takeTimes(): { pipeline: number; dispatches: number; ms: number }[];
}

export interface VulkanDeviceInfo {
  /** "NVIDIA H200", "llvmpipe (LLVM 15.0.6, 256 bits)". */
  name: string;
  /** Vulkan's device type: a discrete GPU, an integrated one, or a CPU implementation (lavapipe). */
  type: 'discrete' | 'integrated' | 'virtual' | 'cpu' | 'other';
  /** The driver's name and version, e.g. "llvmpipe Mesa 22.3.6 (LLVM 15.0.6)". */
  driver: string;
  apiVersion: string;
  /** The size of the memory heap tensors live in. */
  memoryBytes: number;
  /** Tensors live in the device's own memory, mapped (resizable BAR, unified memory, lavapipe); false:
   * in host memory that the GPU reads over the bus. */
  deviceLocal: boolean;
  /** Reads of more than 16 KiB copy through host-cached memory first: the CPU reads mapped device memory
   * uncached, about 30 MB/s on an H200. `CONTRASTLAB_VULKAN_STAGED_READS=1` forces it (for tests). */
  stagedReads: boolean;
}

export interface VulkanStats {
  /** Device memory allocations; tensors are sub-allocated from them. */
  blocks: number;
  blockBytes: number;
  liveBuffers: number;
  dispatches: number;
  submits: number;
  /** Reads copied through the staging buffer. */
  stagedReads: number;
}

/** Set to 0 to act as if there were no Vulkan device (the addon is not loaded). */
export const VULKAN_ENV = 'CONTRASTLAB_VULKAN';

let opened: { addon: VulkanAddon; info: VulkanDeviceInfo } | { addon: null; why: string } | undefined;

/** The addon with its device open, or a one-line reason there is none. Tried once per process. */
export function vulkanDevice():
  { addon: VulkanAddon; info: VulkanDeviceInfo } | { addon: null; why: string } {
  if (opened) return opened;
  if (process.env[VULKAN_ENV]?.trim() === '0') {
    opened = { addon: null, why: `${VULKAN_ENV}=0` };
    return opened;
  }
  let addon: VulkanAddon;
  try {
    addon = createRequire(import.meta.url)('@contrastlab/vulkan') as VulkanAddon;
  } catch (error) {
    opened = { addon: null, why: `the Vulkan addon is not built (${firstLine(error)})` };
    return opened;
  }
  try {
    opened = { addon, info: addon.open() };
  } catch (error) {
    opened = { addon: null, why: firstLine(error) };
  }
  return opened;
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
