import sharp from 'sharp';
import type { ImageShape } from './dataset';

/**
 * One image scaled so its shorter side is `size`, then centre-cropped to `size × size` (the
 * Resize + CenterCrop of the papers' evaluation pipelines), as NHWC uint8 with `channels` channels.
 * sharp's default Lanczos-3 kernel, which filters properly when shrinking.
 */
export async function resizeToSquare(input: sharp.Sharp, size: number, channels: 1 | 3): Promise<Uint8Array> {
  let image = input.resize(size, size, { fit: 'cover', position: 'centre' });
  image = channels === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels === channels) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  // Greyscale sources asked for in colour come back with one channel: repeat it.
  const out = new Uint8Array(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < channels; c++)
      out[p * channels + c] = data[p * info.channels + Math.min(c, info.channels - 1)]!;
  }
  return out;
}

/** A raw NHWC uint8 image (from a dataset held in memory) resized as resizeToSquare does. */
export function resizeRaw(pixels: Uint8Array, shape: ImageShape, size: number): Promise<Uint8Array> {
  const raw = { width: shape.width, height: shape.height, channels: shape.channels as 1 | 3 };
  return resizeToSquare(sharp(pixels, { raw }), size, shape.channels === 1 ? 1 : 3);
}
