/**
 * The SIMD passes of batch-norm-simd.wat, compiled, for the wasm backend's heap. Two builds: the tfjs
 * threaded build's memory is shared, the single-threaded one's is not, and an imported memory must
 * match. Regenerate after editing the .wat (wabt: apt-get install wabt) with
 *   wat2wasm --enable-threads batch-norm-simd.wat -o shared.wasm
 *   sed 's/(memory 1 65536 shared)/(memory 1)/' batch-norm-simd.wat > plain.wat && wat2wasm plain.wat -o plain.wasm
 * and paste `base64 -w0` of each below; test/engine/backend/simd-modules.test.ts checks that they match.
 */

import { instantiateOnHeap } from './simd-module';

export const BATCH_NORM_SIMD_SHARED =
  'AGFzbQEAAAABKARgAn97AGAGf39/f39/AGAIf39/f39/f38AYAt/f39/f39/f39/fwACEgEDZW52Bm1lbW9yeQIDAYCABAMGBQABAgMDBywEBXN0YXRzAAEJbm9ybWFsaXplAAIIZ3JhZFN1bXMAAwlpbnB1dEdyYWQABAq0BwU8ACAAIAD9AAQAIAH9X/3wAf0LBAAgACAA/QAEECABIAH9DQgJCgsMDQ4PAAECAwQFBgf9X/3wAf0LBBAL1gECBX8DeyACQQJ0IQYCQANAIAcgAU8NAUEAIQgDQCAAIAcgAmwgCGpBAnRqIQkgACABIAcgA2ogASAHIANqSRsgAmwgCGpBAnRqIQr9DAAAAAAAAAAAAAAAAAAAAAAhC/0MAAAAAAAAAAAAAAAAAAAAACEMA0AgCf0ABAAhDSALIA395AEhCyAMIA0gDf3mAf3kASEMIAkgBmohCSAJIApJDQALIAQgCEEDdGogCxAAIAUgCEEDdGogDBAAIAhBBGohCCAIIAJJDQALIAcgA2ohBwwACwsLtAECA38BeyAEQQJ0IQogACADIApsaiEIAkADQCAAIAhPDQFBACEJA0AgACAJav0ABAAgBSAJav0ABAD95gEgBiAJav0ABAD95AEhCyAHQQJGBEAgCyACIAlq/QAEAP3kASELCyAHBEAgC/0MAAAAAAAAAAAAAAAAAAAAAP3pASELCyABIAlqIAv9CwQAIAlBEGohCSAJIApJDQALIAAgCmohACABIApqIQEgAiAKaiECDAALCwurAgIFfwR7IAVBAnQhCwJAA0AgDCAETw0BQQAhDQNAIAwgBWwgDWpBAnQhDiAEIAwgBmogBCAMIAZqSRsgBWwgDWpBAnQhDyAHIA1BAnRq/QAEACET/QwAAAAAAAAAAAAAAAAAAAAAIRD9DAAAAAAAAAAAAAAAAAAAAAAhEQNAIAAgDmr9AAQAIRIgCkEBcQRAIBIgAiAOav0ABAD9DAAAAAAAAAAAAAAAAAAAAAD9RP1OIRILIApBAnEEQCADIA5qIBL9CwQACyAQIBL95AEhECARIBIgASAOav0ABAAgE/3lAf3mAf3kASERIA4gC2ohDiAOIA9JDQALIAggDUEDdGogEBAAIAkgDUEDdGogERAAIA1BBGohDSANIAVJDQALIAwgBmohDAwACwsLuQECBH8BeyAFQQJ0IQ4gBCAObCEMAkADQCALIAxPDQFBACENA0AgACALav0ABAAhDyAKBEAgDyACIAtq/QAEAP0MAAAAAAAAAAAAAAAAAAAAAP1E/U4hDwsgAyALaiAHIA1q/QAEACAPIAggDWr9AAQA/eUBIAEgC2r9AAQAIAYgDWr9AAQA/eUBIAkgDWr9AAQA/eYB/eUB/eYB/QsEACALQRBqIQsgDUEQaiENIA0gDkkNAAsMAAsLCw==';

export const BATCH_NORM_SIMD_PLAIN =
  'AGFzbQEAAAABKARgAn97AGAGf39/f39/AGAIf39/f39/f38AYAt/f39/f39/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMGBQABAgMDBywEBXN0YXRzAAEJbm9ybWFsaXplAAIIZ3JhZFN1bXMAAwlpbnB1dEdyYWQABAq0BwU8ACAAIAD9AAQAIAH9X/3wAf0LBAAgACAA/QAEECABIAH9DQgJCgsMDQ4PAAECAwQFBgf9X/3wAf0LBBAL1gECBX8DeyACQQJ0IQYCQANAIAcgAU8NAUEAIQgDQCAAIAcgAmwgCGpBAnRqIQkgACABIAcgA2ogASAHIANqSRsgAmwgCGpBAnRqIQr9DAAAAAAAAAAAAAAAAAAAAAAhC/0MAAAAAAAAAAAAAAAAAAAAACEMA0AgCf0ABAAhDSALIA395AEhCyAMIA0gDf3mAf3kASEMIAkgBmohCSAJIApJDQALIAQgCEEDdGogCxAAIAUgCEEDdGogDBAAIAhBBGohCCAIIAJJDQALIAcgA2ohBwwACwsLtAECA38BeyAEQQJ0IQogACADIApsaiEIAkADQCAAIAhPDQFBACEJA0AgACAJav0ABAAgBSAJav0ABAD95gEgBiAJav0ABAD95AEhCyAHQQJGBEAgCyACIAlq/QAEAP3kASELCyAHBEAgC/0MAAAAAAAAAAAAAAAAAAAAAP3pASELCyABIAlqIAv9CwQAIAlBEGohCSAJIApJDQALIAAgCmohACABIApqIQEgAiAKaiECDAALCwurAgIFfwR7IAVBAnQhCwJAA0AgDCAETw0BQQAhDQNAIAwgBWwgDWpBAnQhDiAEIAwgBmogBCAMIAZqSRsgBWwgDWpBAnQhDyAHIA1BAnRq/QAEACET/QwAAAAAAAAAAAAAAAAAAAAAIRD9DAAAAAAAAAAAAAAAAAAAAAAhEQNAIAAgDmr9AAQAIRIgCkEBcQRAIBIgAiAOav0ABAD9DAAAAAAAAAAAAAAAAAAAAAD9RP1OIRILIApBAnEEQCADIA5qIBL9CwQACyAQIBL95AEhECARIBIgASAOav0ABAAgE/3lAf3mAf3kASERIA4gC2ohDiAOIA9JDQALIAggDUEDdGogEBAAIAkgDUEDdGogERAAIA1BBGohDSANIAVJDQALIAwgBmohDAwACwsLuQECBH8BeyAFQQJ0IQ4gBCAObCEMAkADQCALIAxPDQFBACENA0AgACALav0ABAAhDyAKBEAgDyACIAtq/QAEAP0MAAAAAAAAAAAAAAAAAAAAAP1E/U4hDwsgAyALaiAHIA1q/QAEACAPIAggDWr9AAQA/eUBIAEgC2r9AAQAIAYgDWr9AAQA/eUBIAkgDWr9AAQA/eYB/eUB/eYB/QsEACALQRBqIQsgDUEQaiENIA0gDkkNAAsMAAsLCw==';

/** The module's exports (see the .wat for each pass). All pointers are byte offsets into the heap. */
export interface BatchNormSimd {
  stats(x: number, rows: number, c: number, block: number, sum: number, sumSq: number): void;
  normalize(
    x: number,
    y: number,
    r: number,
    rows: number,
    c: number,
    scale: number,
    shift: number,
    mode: number,
  ): void;
  gradSums(
    dy: number,
    x: number,
    y: number,
    dRes: number,
    rows: number,
    c: number,
    block: number,
    mean: number,
    sumG: number,
    sumGX: number,
    mode: number,
  ): void;
  inputGrad(
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

/** The passes instantiated on `memory` (once per memory), or null where this runtime cannot (no SIMD). */
export function batchNormSimd(memory: WebAssembly.Memory): BatchNormSimd | null {
  return instantiateOnHeap<BatchNormSimd>(memory, BATCH_NORM_SIMD_SHARED, BATCH_NORM_SIMD_PLAIN);
}
