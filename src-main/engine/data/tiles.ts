import type { ImageTile } from '../../domain';
import type { ImageShape, ImageSplit } from './dataset';

/**
 * Images as display tiles (RGBA bytes, base64) for thumbnails in the app: the renderer paints them on a
 * canvas. Greyscale images are repeated into R, G and B; alpha is opaque.
 */
export function tileFromPixels(
  pixels: ArrayLike<number>,
  shape: ImageShape,
  /** Multiplies each value before rounding: 1 for uint8 pixels, 255 for floats in [0, 1]. */
  scale = 1,
): ImageTile {
  const { width, height, channels } = shape;
  if (pixels.length !== width * height * channels) {
    throw new Error(
      `a ${width}×${height}×${channels} image needs ${width * height * channels} values, got ${pixels.length}`,
    );
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels[p * channels + (channels === 1 ? 0 : c)]! * scale;
      rgba[p * 4 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba: rgba.toString('base64') };
}

/** Image `index` of a split as a tile. */
export function tileFromSplit(split: ImageSplit, index: number, shape: ImageShape): ImageTile {
  if (!Number.isInteger(index) || index < 0 || index >= split.count) {
    throw new RangeError(`image ${index} is out of range: the split has ${split.count} images`);
  }
  return tileFromPixels(split.pixels.read([index]), shape);
}
