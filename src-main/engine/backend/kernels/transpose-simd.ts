/**
 * The transposes of transpose-simd.wat, compiled (see simd-module.ts for the two builds). Regenerate
 * after editing the .wat (wabt: apt-get install wabt) with
 *   wat2wasm --enable-threads transpose-simd.wat -o shared.wasm
 *   sed 's/(memory 1 65536 shared)/(memory 1)/' transpose-simd.wat > plain.wat && wat2wasm plain.wat -o plain.wasm
 * and paste `base64 -w0` of each below; test/engine/backend/simd-modules.test.ts checks that they match.
 */

import { instantiateOnHeap } from './simd-module';

export const TRANSPOSE_SIMD_SHARED =
  'AGFzbQEAAAABCQFgBX9/f39/AAISAQNlbnYGbWVtb3J5AgMBgIAEAwMCAAAHHgIOc3dhcE91dGVySW5uZXIAAAlzd2FwT3V0ZXIAAQqKBAKPAwIHfwh7IAMgBGxBAnQhCCADIAJsQQJ0IQkDQEEAIQYDQEEAIQcDQCAAIAYgA2wgBWogBGwgB2pBAnRqIQogASAHIANsIAVqIAJsIAZqQQJ0aiELIAr9AAQAIQwgCiAIav0ABAAhDSAKIAhBAXRq/QAEACEOIAogCEEDbGr9AAQAIQ8gDCAN/Q0AAQIDEBESEwQFBgcUFRYXIRAgDCAN/Q0ICQoLGBkaGwwNDg8cHR4fIREgDiAP/Q0AAQIDEBESEwQFBgcUFRYXIRIgDiAP/Q0ICQoLGBkaGwwNDg8cHR4fIRMgCyAQIBL9DQABAgMEBQYHEBESExQVFhf9CwQAIAsgCWogECAS/Q0ICQoLDA0ODxgZGhscHR4f/QsEACALIAlBAXRqIBEgE/0NAAECAwQFBgcQERITFBUWF/0LBAAgCyAJQQNsaiARIBP9DQgJCgsMDQ4PGBkaGxwdHh/9CwQAIAdBBGohByAHIARJDQALIAZBBGohBiAGIAJJDQALIAVBAWohBSAFIANJDQALC3cBBn8gBEECdCEIIAggAmwhCgNAIAEgBSAIbGohCUEAIQYDQEEAIQcDQCAJIAdqIAAgB2r9AAQA/QsEACAHQRBqIQcgByAISQ0ACyAAIAhqIQAgCSAKaiEJIAZBAWohBiAGIANJDQALIAVBAWohBSAFIAJJDQALCw==';

export const TRANSPOSE_SIMD_PLAIN =
  'AGFzbQEAAAABCQFgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgABAwMCAAAHHgIOc3dhcE91dGVySW5uZXIAAAlzd2FwT3V0ZXIAAQqKBAKPAwIHfwh7IAMgBGxBAnQhCCADIAJsQQJ0IQkDQEEAIQYDQEEAIQcDQCAAIAYgA2wgBWogBGwgB2pBAnRqIQogASAHIANsIAVqIAJsIAZqQQJ0aiELIAr9AAQAIQwgCiAIav0ABAAhDSAKIAhBAXRq/QAEACEOIAogCEEDbGr9AAQAIQ8gDCAN/Q0AAQIDEBESEwQFBgcUFRYXIRAgDCAN/Q0ICQoLGBkaGwwNDg8cHR4fIREgDiAP/Q0AAQIDEBESEwQFBgcUFRYXIRIgDiAP/Q0ICQoLGBkaGwwNDg8cHR4fIRMgCyAQIBL9DQABAgMEBQYHEBESExQVFhf9CwQAIAsgCWogECAS/Q0ICQoLDA0ODxgZGhscHR4f/QsEACALIAlBAXRqIBEgE/0NAAECAwQFBgcQERITFBUWF/0LBAAgCyAJQQNsaiARIBP9DQgJCgsMDQ4PGBkaGxwdHh/9CwQAIAdBBGohByAHIARJDQALIAZBBGohBiAGIAJJDQALIAVBAWohBSAFIANJDQALC3cBBn8gBEECdCEIIAggAmwhCgNAIAEgBSAIbGohCUEAIQYDQEEAIQcDQCAJIAdqIAAgB2r9AAQA/QsEACAHQRBqIQcgByAISQ0ACyAAIAhqIQAgCSAKaiEJIAZBAWohBiAGIANJDQALIAVBAWohBSAFIAJJDQALCw==';

/** The module's exports; pointers are byte offsets into the heap, in is [n, p, c] float32. */
export interface TransposeSimd {
  /** out[c, p, n] = in[n, p, c]; n and c multiples of 4. */
  swapOuterInner(input: number, output: number, n: number, p: number, c: number): void;
  /** out[p, n, c] = in[n, p, c]; c a multiple of 4. */
  swapOuter(input: number, output: number, n: number, p: number, c: number): void;
}

export function transposeSimd(memory: WebAssembly.Memory): TransposeSimd | null {
  return instantiateOnHeap<TransposeSimd>(memory, TRANSPOSE_SIMD_SHARED, TRANSPOSE_SIMD_PLAIN);
}
