import type { ImageTile } from '../../../src-main/domain';

/** Bytes of a base64 string (atob exists in browsers, workers and Node ≥ 16). */
export function decodeBase64(b64: string): Uint8Array {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The RGBA pixels of a tile, checked against its size. */
export function tilePixels(tile: ImageTile): Uint8ClampedArray {
  const bytes = decodeBase64(tile.rgba);
  const want = tile.width * tile.height * 4;
  if (!(tile.width > 0 && tile.height > 0) || bytes.length !== want) {
    throw new Error(`a ${tile.width}×${tile.height} RGBA tile needs ${want} bytes, got ${bytes.length}`);
  }
  return new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The part of a canvas the helper uses, so tests can hand it a stand-in. */
export interface TileCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    createImageData(width: number, height: number): { data: Uint8ClampedArray };
    putImageData(image: never, x: number, y: number): void;
  } | null;
  toDataURL(type?: string): string;
}

const newCanvas = (): TileCanvas => document.createElement('canvas') as unknown as TileCanvas;

/**
 * A tile as a PNG data URL for an <img>: painted on a canvas of its own size (the page scales it up
 * with `image-rendering: pixelated`, so 32×32 images stay sharp).
 */
export function tileToDataUrl(tile: ImageTile, createCanvas: () => TileCanvas = newCanvas): string {
  const pixels = tilePixels(tile);
  const canvas = createCanvas();
  canvas.width = tile.width;
  canvas.height = tile.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  const image = ctx.createImageData(tile.width, tile.height);
  image.data.set(pixels);
  ctx.putImageData(image as never, 0, 0);
  return canvas.toDataURL('image/png');
}
