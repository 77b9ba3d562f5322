import type { DnnlAddon } from '../dnnl';
import type { BatchNormSimd } from './batch-norm-simd';

/**
 * Batch normalisation's passes run by the native addon (its src/batch_norm.cc) on the wasm heap: the
 * same passes, arguments and results as the SIMD wasm module, with the CPU's full vector width and both
 * cores. The view of the heap is made per call, since the memory's buffer changes when it grows.
 */
export function nativeBatchNormPasses(addon: DnnlAddon, memory: WebAssembly.Memory): BatchNormSimd {
  const heap = (): Uint8Array => new Uint8Array(memory.buffer);
  return {
    stats: (x, rows, c, _block, sum, sumSq) => addon.batchNormStats(heap(), x, rows, c, sum, sumSq),
    normalize: (x, y, r, rows, c, scale, shift, mode) =>
      addon.batchNormNormalize(heap(), x, y, r, rows, c, scale, shift, mode),
    gradSums: (dy, x, y, dRes, rows, c, _block, mean, sumG, sumGX, mode) =>
      addon.batchNormGradSums(heap(), dy, x, y, dRes, rows, c, mean, sumG, sumGX, mode),
    inputGrad: (dy, x, y, dx, rows, c, mean, k, a, b, relu) =>
      addon.batchNormInputGrad(heap(), dy, x, y, dx, rows, c, mean, k, a, b, relu),
  };
}
