import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decode as decodeBmp } from 'bmp-ts';
import sharp from 'sharp';
import { DatasetError } from '../../domain';
import {
  readImageCacheHeader,
  writeImageCache,
  type CachedDatasetSource,
  type ImageCacheHeader,
} from './image-cache';
import type { FolderImage } from './imagefolder-scan';
import { FilePixels } from './pixels';
import { resizeToSquare } from './resize';

/**
 * Building an image folder's dataset cache: every image decoded, oriented, resized (shorter side) and
 * centre-cropped once, on every core; images whose file is unchanged since an earlier cache of the same
 * folder and size are copied from it instead of decoded, so a changed folder costs only what changed.
 */

/** Bumped whenever decoding changes, so no cache built the old way lends its images to a new one. */
export const decoderVersion = 2;

/** Decodes at once while a cache is built: sharp is asynchronous, so this keeps every core's libvips busy. */
const IN_FLIGHT = Math.max(4, os.availableParallelism() * 2);

/** A file as the cache remembers it: [path relative to the folder, size in bytes, modification time in ms]. */
export type FileIdentity = [path: string, size: number, mtimeMs: number];

/** A file that could not be decoded, and why (listed in the run's log and the Datasets view). */
export interface SkippedFile {
  path: string;
  reason: string;
  size: number;
  mtimeMs: number;
}

/** What an image folder's cache keeps in its header's `meta`. */
export interface ImageFolderCacheMeta {
  decoderVersion: number;
  /** Per split, the file each image came from in the split's order: an image's index is its position. */
  files: Record<string, FileIdentity[]>;
  skipped: SkippedFile[];
  /** The training split's per-channel statistics of pixel values scaled to [0, 1]. */
  mean: [number, number, number];
  std: [number, number, number];
}

export function isImageFolderMeta(meta: unknown): meta is ImageFolderCacheMeta {
  const m = meta as Partial<ImageFolderCacheMeta> | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.decoderVersion === decoderVersion &&
    typeof m.files === 'object' &&
    Array.isArray(m.skipped) &&
    Array.isArray(m.mean) &&
    Array.isArray(m.std)
  );
}

function identityKey(p: string, size: number, mtimeMs: number): string {
  return `${p}\u0000${size}\u0000${mtimeMs}`;
}

/** A Windows bitmap starts with "BM". */
function isBmp(bytes: Buffer): boolean {
  return bytes.length > 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * sharp's bundled libvips has no BMP loader, so BMP files are decoded by bmp-ts (uncompressed, RLE and
 * palette bitmaps) into raw RGBA that sharp then resizes. Alpha is dropped: 24-bit bitmaps have none, and
 * bmp-ts reports theirs as 0.
 */
function bmpAsSharp(bytes: Buffer): sharp.Sharp {
  const bmp = decodeBmp(bytes, { toRGBA: true });
  const rgb = Buffer.alloc(bmp.width * bmp.height * 3);
  for (let p = 0; p < bmp.width * bmp.height; p++) bmp.data.copy(rgb, p * 3, p * 4, p * 4 + 3);
  return sharp(rgb, { raw: { width: bmp.width, height: bmp.height, channels: 3 } });
}

/** One image decoded to `size × size` RGB, or why it could not be. */
export async function decodeImageFile(
  file: string,
  size: number,
): Promise<{ pixels: Uint8Array } | { reason: string }> {
  let bytes: Buffer;
  try {
    // Read here rather than by path: libvips caches files it opened by name, and would not see a change.
    bytes = await readFile(file);
  } catch (e) {
    return { reason: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  if (bytes.length === 0) return { reason: 'empty file' };
  try {
    // rotate() with no angle applies the EXIF orientation; transparent pixels are shown over white, as a
    // viewer shows them; palette and greyscale images come out as RGB from resizeToSquare.
    const image = (isBmp(bytes) ? bmpAsSharp(bytes) : sharp(bytes, { failOn: 'error' }))
      .rotate()
      .flatten({ background: '#ffffff' });
    return { pixels: await resizeToSquare(image, size, 3) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { reason: message.split('\n')[0]!.trim() || 'cannot be decoded' };
  }
}

/** Earlier caches of the same folder at the same size: each unchanged file's image (or why it was skipped). */
class Donors {
  private readonly images = new Map<string, { pixels: FilePixels; index: number }>();
  private readonly skipped = new Map<string, string>();
  private readonly opened: FilePixels[] = [];

  constructor(folder: string, prefix: string, root: string, size: number) {
    let names: string[];
    try {
      names = fs.readdirSync(folder).filter((n) => n.startsWith(prefix) && n.endsWith('.images'));
    } catch {
      return;
    }
    const caches = names
      .map((n) => ({ file: path.join(folder, n), header: readImageCacheHeader(path.join(folder, n)) }))
      .filter(
        (c): c is { file: string; header: ImageCacheHeader } =>
          c.header !== null &&
          c.header.source.id === 'imagefolder' &&
          c.header.source.dataDir === root &&
          c.header.height === size &&
          c.header.width === size &&
          c.header.channels === 3 &&
          isImageFolderMeta(c.header.meta),
      )
      // Newest first: where two caches know a file, the newer one's image is used.
      .sort((a, b) => b.header.builtAt - a.header.builtAt);
    const per = size * size * 3;
    for (const { file, header } of caches) {
      const meta = header.meta as ImageFolderCacheMeta;
      for (const split of header.splits) {
        const files = meta.files[split.name] ?? [];
        if (files.length !== split.count) continue;
        const pixels = new FilePixels(file, split.pixelsAt, split.count, per);
        this.opened.push(pixels);
        files.forEach(([p, bytes, mtime], index) => {
          const key = identityKey(p, bytes, mtime);
          if (!this.images.has(key)) this.images.set(key, { pixels, index });
        });
      }
      for (const s of meta.skipped) {
        const key = identityKey(s.path, s.size, s.mtimeMs);
        if (!this.skipped.has(key)) this.skipped.set(key, s.reason);
      }
    }
  }

  /** The image an earlier cache holds for this file, its reason for skipping it, or null where none knows it. */
  find(image: FolderImage): { pixels: Uint8Array } | { reason: string } | null {
    const key = identityKey(image.path, image.size, image.mtimeMs);
    const found = this.images.get(key);
    if (found) return { pixels: found.pixels.read([found.index]) };
    const reason = this.skipped.get(key);
    return reason === undefined ? null : { reason };
  }

  close(): void {
    for (const p of this.opened) p.close();
  }
}

/** A split to build, its images in order; the first split is the training split (statistics come from it). */
export interface PlannedSplit {
  name: string;
  images: FolderImage[];
  labelled: boolean;
}

export interface FolderCacheBuild {
  /** The cache file to write. */
  file: string;
  key: string;
  /** The dataset folder (image paths are relative to it). */
  root: string;
  size: number;
  source: CachedDatasetSource;
  classNames: string[];
  splits: PlannedSplit[];
  /** Start of the names of this folder's caches at this size, among which earlier images are looked up. */
  donorPrefix: string;
  onProgress?: (done: number, total: number) => void;
  /** Called for each file actually decoded (not copied from an earlier cache). */
  onDecode?: (relativePath: string) => void;
}

/**
 * Builds the cache in two passes: every image is decoded (or copied) into a scratch file beside the
 * cache, in the order planned, because which files fail is known only once they are decoded, while the
 * cache's header must give each split's size before its pixels; then the images that decoded are
 * written into the cache, a chunk at a time. No image stays in memory; the scratch file is removed.
 */
export async function buildFolderCache(build: FolderCacheBuild): Promise<ImageCacheHeader> {
  const { size, root } = build;
  const per = size * size * 3;
  const slots = build.splits.flatMap((split, k) => split.images.map((image) => ({ image, split: k })));
  const folder = path.dirname(build.file);
  fs.mkdirSync(folder, { recursive: true });
  const donors = new Donors(folder, build.donorPrefix, root, size);
  const scratch = `${build.file}.${process.pid}-${randomBytes(4).toString('hex')}.decoding`;
  const fd = fs.openSync(scratch, 'w+');
  const scratchPixels = new FilePixels(scratch, 0, slots.length, per);
  try {
    const decoded = new Uint8Array(slots.length);
    const skipped: SkippedFile[] = [];
    const trainSums = new ChannelSums();
    let next = 0;
    let done = 0;
    const work = async (): Promise<void> => {
      while (next < slots.length) {
        const slot = next++;
        const { image, split } = slots[slot]!;
        let result = donors.find(image);
        if (result === null) {
          build.onDecode?.(image.path);
          result = await decodeImageFile(path.join(root, ...image.path.split('/')), size);
        }
        if ('pixels' in result) {
          writeAll(fd, result.pixels, slot * per);
          decoded[slot] = 1;
          if (split === 0) trainSums.add(result.pixels);
        } else {
          skipped.push({ path: image.path, reason: result.reason, size: image.size, mtimeMs: image.mtimeMs });
        }
        build.onProgress?.(++done, slots.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, slots.length) }, work));
    skipped.sort((a, b) => (a.path < b.path ? -1 : 1));

    checkDecoded(build, slots, decoded, skipped);
    const kept = build.splits.map((_, k) =>
      Int32Array.from(slots.flatMap((s, slot) => (s.split === k && decoded[slot] === 1 ? [slot] : []))),
    );
    const { mean, std } = trainSums.statistics();
    const meta: ImageFolderCacheMeta = {
      decoderVersion,
      files: Object.fromEntries(
        build.splits.map((split, k) => [
          split.name,
          Array.from(kept[k]!, (slot): FileIdentity => {
            const { image } = slots[slot]!;
            return [image.path, image.size, image.mtimeMs];
          }),
        ]),
      ),
      skipped,
      mean,
      std,
    };
    return await writeImageCache(
      build.file,
      {
        key: build.key,
        source: build.source,
        height: size,
        width: size,
        channels: 3,
        classNames: build.classNames,
        meta,
      },
      build.splits.map((split, k) => ({
        name: split.name,
        count: kept[k]!.length,
        labels: split.labelled ? Int32Array.from(kept[k]!, (slot) => slots[slot]!.image.label ?? 0) : null,
        fill: (first: number, n: number, out: Uint8Array) => {
          out.set(scratchPixels.read(kept[k]!.subarray(first, first + n)));
        },
      })),
    );
  } finally {
    scratchPixels.close();
    fs.closeSync(fd);
    fs.rmSync(scratch, { force: true });
    donors.close();
  }
}

/** One DatasetError line when what decoded cannot make a dataset: no image at all, no training image, a class with none. */
function checkDecoded(
  build: FolderCacheBuild,
  slots: { image: FolderImage; split: number }[],
  decoded: Uint8Array,
  skipped: SkippedFile[],
): void {
  if (skipped.length === slots.length) {
    const first = skipped[0]!;
    throw new DatasetError(
      `None of the ${slots.length} image files in ${build.root} could be decoded (${first.path}: ${first.reason})`,
    );
  }
  if (!slots.some((s, slot) => s.split === 0 && decoded[slot] === 1)) {
    throw new DatasetError(`No training image in ${build.root} could be decoded`);
  }
  if (!build.splits.some((s) => s.labelled)) return;
  const perClass = new Int32Array(build.classNames.length);
  slots.forEach((s, slot) => {
    if (decoded[slot] === 1 && s.image.label !== null) perClass[s.image.label]!++;
  });
  const empty = perClass.findIndex((n) => n === 0);
  if (empty >= 0) {
    throw new DatasetError(
      `No image of class "${build.classNames[empty]}" in ${build.root} could be decoded`,
    );
  }
}

/** Per-channel sums of pixel values and of their squares; integers, so exact whatever order images come in. */
class ChannelSums {
  readonly sum = [0, 0, 0];
  readonly squares = [0, 0, 0];
  pixels = 0;

  add(image: Uint8Array): void {
    for (let c = 0; c < 3; c++) {
      let total = 0;
      let squares = 0;
      for (let i = c; i < image.length; i += 3) {
        const v = image[i]!;
        total += v;
        squares += v * v;
      }
      this.sum[c] = this.sum[c]! + total;
      this.squares[c] = this.squares[c]! + squares;
    }
    this.pixels += image.length / 3;
  }

  /** Mean and standard deviation of values scaled to [0, 1]. */
  statistics(): { mean: [number, number, number]; std: [number, number, number] } {
    const n = this.pixels;
    const mean = this.sum.map((s) => s / n);
    const std = this.squares.map((q, c) => Math.sqrt(Math.max(0, q / n - mean[c]! ** 2)));
    return {
      mean: mean.map((m) => m / 255) as [number, number, number],
      std: std.map((d) => d / 255) as [number, number, number],
    };
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}
