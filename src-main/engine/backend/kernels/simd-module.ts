/**
 * Instantiates one of the project's small SIMD WebAssembly modules on the tfjs wasm backend's heap: the
 * module imports that Memory, so its loops read and write tensors in place. Each module ships in two
 * builds, as its memory import must match the heap's: shared (tfjs's threaded build) or not.
 */

/** The part of the wasm backend that exposes its heap. */
export interface WasmHeapOwner {
  wasm: {
    /** Module.wasmMemory (threaded build) or Module.asm.memory. */
    wasmMemory?: WebAssembly.Memory;
    asm?: { memory?: WebAssembly.Memory };
  };
}

/** The wasm backend's Memory, if it exposes one. */
export function heapMemory(backend: WasmHeapOwner): WebAssembly.Memory | undefined {
  return backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
}

const instances = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/**
 * The module (base64 of each build) instantiated on `memory`, once per memory, or null where this
 * runtime cannot instantiate it (no WebAssembly SIMD).
 */
export function instantiateOnHeap<T>(memory: WebAssembly.Memory, shared: string, plain: string): T | null {
  let byModule = instances.get(memory);
  if (!byModule) {
    byModule = new Map();
    instances.set(memory, byModule);
  }
  if (!byModule.has(shared)) {
    const isShared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    let exports: T | null = null;
    try {
      const module = new WebAssembly.Module(Buffer.from(isShared ? shared : plain, 'base64'));
      exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as T;
    } catch {
      exports = null;
    }
    byModule.set(shared, exports);
  }
  return byModule.get(shared) as T | null;
}
