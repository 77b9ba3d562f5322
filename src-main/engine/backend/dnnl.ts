import { createRequire } from 'node:module';

/**
 * The native addon (src-main/dnnl-addon, the optional dependency @contrastlab/dnnl), which runs the wasm
 * backend's convolutions (through oneDNN) and batch normalisation natively, on the wasm heap's memory. npm builds it at install where Debian's libdnnl-dev is present; where
 * it is not, or CONTRASTLAB_DNNL=0, those kernels stay in WebAssembly.
 */
export interface DnnlAddon {
  /** kind 0: out = conv(a=x, b=w); 1: out = dx from (a=dy, b=w); 2: out = dw from (a=x, b=dy). */
  convolution(kind: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): void;
  /** out = op(a) · op(b), dims = [batch of a, batch of b, M, K, N, a transposed, b transposed]. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): void;
  /** oneDNN's name for the kernel it picked for that convolution, e.g. "brg:avx512_core". */
  implementation(kind: number, dims: Int32Array): string;
  /** The OpenMP threads this JavaScript thread's native kernels use from now on. */
  setThreads(n: number): void;
  /** "2.6.3 avx512 openmp, 2 threads": oneDNN's version, its instruction set here, its threading. */
  version(): string;
  // Batch normalisation's passes (the addon's src/batch_norm.cc): `heap` views the whole wasm memory,
  // every other pointer is a byte offset into it.
  batchNormStats(heap: Uint8Array, x: number, rows: number, c: number, sum: number, sumSq: number): void;
  batchNormNormalize(
    heap: Uint8Array,
    x: number,
    y: number,
    r: number,
    rows: number,
    c: number,
    scale: number,
    shift: number,
    mode: number,
  ): void;
  batchNormGradSums(
    heap: Uint8Array,
    dy: number,
    x: number,
    y: number,
    dRes: number,
    rows: number,
    c: number,
    mean: number,
    sumG: number,
    sumGX: number,
    mode: number,
  ): void;
  batchNormInputGrad(
    heap: Uint8Array,
    dy: number,
    x: number,
    y: number,
    dx: number,
    rows: number,
    c: number,
    mean: number,
    k: number,
    a: number,
    b: number,
    relu: number,
  ): void;
}

/** Set to 0 to keep every kernel in WebAssembly even where the addon is built. */
export const DNNL_ENV = 'CONTRASTLAB_DNNL';

let loaded: { addon: DnnlAddon | null; why: string } | undefined;
let enabled = true;

/** The addon for the kernels to use now, or null (see dnnlStatus for why). Loaded once per process. */
export function dnnlAddon(): DnnlAddon | null {
  return enabled ? dnnlStatus().addon : null;
}

/**
 * Switches the native kernels off (and on again) for this process, so that tests and benchmarks can
 * compare them with the WebAssembly ones; kernels look the addon up on every call.
 */
export function setNativeKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The addon and a short reason where there is none. */
export function dnnlStatus(): { addon: DnnlAddon | null; why: string } {
  if (loaded) return loaded;
  const setting = process.env[DNNL_ENV]?.trim();
  if (setting === '0') {
    loaded = { addon: null, why: `${DNNL_ENV}=0` };
    return loaded;
  }
  setOpenMpDefaults(process.env);
  try {
    // A plain object over the module's (read-only) functions, so tests can watch the calls.
    const addon = { ...(createRequire(import.meta.url)('@contrastlab/dnnl') as DnnlAddon) };
    addon.version(); // the library itself loads (libdnnl.so.2 present)
    loaded = { addon, why: '' };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    loaded = { addon: null, why: `oneDNN addon not built (${message})` };
  }
  return loaded;
}

/**
 * OpenMP's threads spin after each parallel region (libgomp: 300,000 spins by default) before they
 * sleep, taking the cores from the wasm kernels that run between native ones: on 2 cores a batch's
 * augmentation took 46 ms with the default and 28 ms with 10,000 spins, the training step the same.
 * Left alone where the user set OpenMP's wait policy. libgomp reads it when the addon loads it.
 */
export function setOpenMpDefaults(env: NodeJS.ProcessEnv): void {
  if (env.OMP_WAIT_POLICY === undefined && env.GOMP_SPINCOUNT === undefined) env.GOMP_SPINCOUNT = '10000';
}
