import type { ImageSplit } from './dataset';
import { MemoryPixels } from './pixels';

/** A split held in memory: `count` NHWC uint8 images one after another, and their labels if any. */
export function inMemorySplit(
  images: Uint8Array,
  labels: Int32Array | null,
  count = labels?.length ?? 0,
): ImageSplit {
  return { pixels: new MemoryPixels(images, count), labels, count };
}

/** Every image of a split, one after another (for small splits: tests, statistics, previews). */
export function splitBytes(split: ImageSplit): Uint8Array {
  return split.pixels.read(Int32Array.from({ length: split.count }, (_, i) => i));
}
