/**
 * Typed arrays as base64, for float32 embeddings that cross process boundaries as JSON (the run worker's
 * IPC channel, the API). The bytes are the array's own, little-endian on every platform Node and
 * Electron run on (x64, arm64).
 */

export function float32ToBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function base64ToFloat32(text: string): Float32Array {
  return bytesToFloat32(Buffer.from(text, 'base64'));
}

/** A copy of `bytes` as float32 (a Buffer's offset need not be a multiple of 4). */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`${bytes.byteLength} bytes are not whole float32 values`);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function bytesToInt32(bytes: Uint8Array): Int32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`${bytes.byteLength} bytes are not whole int32 values`);
  const out = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The bytes of a typed array, without copying. */
export function typedArrayBytes(values: Float32Array | Int32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
