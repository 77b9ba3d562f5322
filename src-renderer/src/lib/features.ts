import { decodeBase64 } from './tiles';

/**
 * Rows of float32 little-endian features from base64 (an EmbeddingSnapshot's `features`). Read through a
 * DataView so the byte order is the contract's, whatever the machine's.
 */
export function decodeFeatures(b64: string, rows: number, dim: number): Float32Array[] {
  const bytes = decodeBase64(b64);
  if (bytes.length !== rows * dim * 4) {
    throw new Error(`${rows}×${dim} float32 features need ${rows * dim * 4} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Float32Array(dim);
    for (let c = 0; c < dim; c++) row[c] = view.getFloat32((r * dim + c) * 4, true);
    out.push(row);
  }
  return out;
}
