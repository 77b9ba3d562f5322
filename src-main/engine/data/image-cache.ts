import fs from 'node:fs';
import path from 'node:path';
import { DatasetError, type DatasetId } from '../../domain';
import type { ImageShape, ImageSplit } from './dataset';
import { FilePixels } from './pixels';

/**
 * The dataset cache: a dataset's images decoded, resized and centre-cropped once to the run's image
 * size, in one file per (dataset, folder, size), reused by every later run and read a batch at a time
 * (FilePixels), so no worker holds a large dataset in memory.
 *
 * Layout: the 8-byte magic, a little-endian uint32 header length, the JSON header, then each split's
 * pixels (NHWC uint8) and labels (int32, little-endian) at the offsets the header names. A cache is
 * written to a `.partial` file of its own and renamed into place whole: a build cut off leaves no cache
 * that looks complete.
 */

const MAGIC = 'CLIMGC01';
/** Pixel data starts on a page boundary, so reads of an image never straddle the header's page. */
const ALIGN = 4096;

export interface CachedSplitHeader {
  name: string;
  count: number;
  labelled: boolean;
  /** Byte offsets of the split's pixels and labels in the file. */
  pixelsAt: number;
  labelsAt: number;
}

/** Which dataset a cache holds, for the Datasets view: the source, its folder, the image size. */
export interface CachedDatasetSource {
  id: DatasetId;
  dataDir?: string;
  /** What else tells this cache from another of the same folder and size (a subset, a seed, coarse labels). */
  variant?: string;
}

export interface ImageCacheHeader extends ImageShape {
  /** What the cache was built from (the source's fingerprint): a different key means a stale cache. */
  key: string;
  source: CachedDatasetSource;
  classNames: string[];
  splits: CachedSplitHeader[];
  /** What the source keeps about how it built the cache (image folders: each file's identity, skipped files). */
  meta?: unknown;
  /** Seconds since the epoch when the cache was written. */
  builtAt: number;
}

/** One split to write: its size, labels, and a function that fills its images in order, a chunk at a time. */
export interface SplitToCache {
  name: string;
  count: number;
  labels: Int32Array | null;
  /** Writes images `first … first + n - 1` into `out` (n × bytesPerImage bytes). */
  fill(first: number, n: number, out: Uint8Array): Promise<void> | void;
}

export interface CacheToWrite extends ImageShape {
  key: string;
  source: CachedDatasetSource;
  classNames: string[];
  meta?: unknown;
}

/** Images per chunk while writing: bounds the memory a build takes (256 × 256² × 3 ≈ 50 MB at most). */
const CHUNK = 256;

export async function writeImageCache(
  file: string,
  cache: CacheToWrite,
  splits: SplitToCache[],
  /** Called after each chunk with the images written so far and in all. */
  onProgress?: (done: number, total: number) => void,
): Promise<ImageCacheHeader> {
  const per = cache.height * cache.width * cache.channels;
  // The header's size depends on the offsets it holds: lay out with a generous estimate, then check.
  const layout = (headerRoom: number): CachedSplitHeader[] => {
    let at = headerRoom;
    return splits.map((s) => {
      const pixelsAt = at;
      const labelsAt = pixelsAt + s.count * per;
      at = Math.ceil((labelsAt + s.count * 4) / ALIGN) * ALIGN;
      return { name: s.name, count: s.count, labelled: s.labels !== null, pixelsAt, labelsAt };
    });
  };
  const headerOf = (room: number): ImageCacheHeader => ({
    key: cache.key,
    source: cache.source,
    height: cache.height,
    width: cache.width,
    channels: cache.channels,
    classNames: cache.classNames,
    splits: layout(room),
    ...(cache.meta === undefined ? {} : { meta: cache.meta }),
    builtAt: Date.now() / 1000,
  });
  let room = ALIGN;
  let json = Buffer.from(JSON.stringify(headerOf(room)));
  while (12 + json.length > room) {
    room = Math.ceil((12 + json.length) / ALIGN) * ALIGN;
    json = Buffer.from(JSON.stringify(headerOf(room)));
  }
  const header = JSON.parse(json.toString('utf8')) as ImageCacheHeader;

  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Unique, so that two workers building the same cache at once do not write into one file: the last
  // rename wins, and both are whole.
  const partial = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.partial`;
  const fd = fs.openSync(partial, 'w');
  try {
    const start = Buffer.alloc(12);
    start.write(MAGIC, 0, 'latin1');
    start.writeUInt32LE(json.length, 8);
    fs.writeSync(fd, start, 0, 12, 0);
    fs.writeSync(fd, json, 0, json.length, 12);
    const total = splits.reduce((n, s) => n + s.count, 0);
    let done = 0;
    for (const [k, split] of splits.entries()) {
      const at = header.splits[k]!;
      const chunk = new Uint8Array(Math.min(CHUNK, Math.max(1, split.count)) * per);
      for (let first = 0; first < split.count; first += CHUNK) {
        const n = Math.min(CHUNK, split.count - first);
        const out = chunk.subarray(0, n * per);
        out.fill(0);
        await split.fill(first, n, out);
        writeAll(fd, out, at.pixelsAt + first * per);
        done += n;
        onProgress?.(done, total);
      }
      if (split.labels) {
        const bytes = new Uint8Array(split.labels.buffer, split.labels.byteOffset, split.labels.byteLength);
        writeAll(fd, bytes, at.labelsAt);
      }
    }
    // The file's length covers the last split's padding, so every offset in the header lies inside it.
    const end = header.splits.at(-1);
    if (end) fs.ftruncateSync(fd, Math.ceil((end.labelsAt + end.count * 4) / ALIGN) * ALIGN);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(partial, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(partial, file);
  return header;
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** A cache's header, or null when the file is missing, partial or not a cache. */
export function readImageCacheHeader(file: string): ImageCacheHeader | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const start = Buffer.alloc(12);
    if (fs.readSync(fd, start, 0, 12, 0) !== 12 || start.toString('latin1', 0, 8) !== MAGIC) return null;
    const length = start.readUInt32LE(8);
    const json = Buffer.alloc(length);
    if (fs.readSync(fd, json, 0, length, 12) !== length) return null;
    const header = JSON.parse(json.toString('utf8')) as ImageCacheHeader;
    const size = fs.fstatSync(fd).size;
    const per = header.height * header.width * header.channels;
    if (header.splits.some((s) => s.pixelsAt + s.count * per > size || s.labelsAt + s.count * 4 > size))
      return null;
    return header;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** A split of a cache file: pixels read on demand, labels read into memory (4 bytes an image). */
export function openCachedSplit(
  file: string,
  header: ImageCacheHeader,
  name: string,
  limit?: number,
): ImageSplit {
  const at = header.splits.find((s) => s.name === name);
  if (!at) throw new DatasetError(`the dataset cache ${file} has no "${name}" split`);
  const count = Math.min(at.count, limit ?? Infinity);
  const per = header.height * header.width * header.channels;
  let labels: Int32Array | null = null;
  if (at.labelled) {
    const bytes = Buffer.alloc(count * 4);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, bytes, 0, bytes.length, at.labelsAt);
    } finally {
      fs.closeSync(fd);
    }
    labels = new Int32Array(count);
    for (let i = 0; i < count; i++) labels[i] = bytes.readInt32LE(i * 4);
  }
  return { pixels: new FilePixels(file, at.pixelsAt, count, per), labels, count };
}
