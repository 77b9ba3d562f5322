import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src-main/domain';
import { loadDataset } from '../../../src-main/engine/data';
import { readImageCacheHeader } from '../../../src-main/engine/data/image-cache';
import { FilePixels } from '../../../src-main/engine/data/pixels';
import { resizeRaw } from '../../../src-main/engine/data/resize';
import { splitBytes } from '../../../src-main/engine/data/splits';
import { stl10ClassNames, stl10Source } from '../../../src-main/engine/data/stl10';
import type { ImageSplit } from '../../../src-main/engine/data/dataset';

const SIDE = 96;
const IMAGE = SIDE * SIDE * 3;

/** Channel c's value at (y, x) of image i of a file: y and x weigh differently, so a transposition shows. */
const value = (file: number, i: number, c: number, y: number, x: number) =>
  (file * 71 + i * 29 + c * 85 + y * 7 + x * 2) % 256;

/** A uniform colour: the image the resize check can predict. */
const FLAT = [10, 200, 60];

/**
 * `count` images in the binary layout: one channel after another, each column-major (value (y, x) at
 * x·96 + y). Image `flat`, if given, is one uniform colour.
 */
function imagesFile(file: number, count: number, flat?: number): Buffer {
  const out = Buffer.alloc(count * IMAGE);
  for (let i = 0; i < count; i++)
    for (let c = 0; c < 3; c++)
      for (let x = 0; x < SIDE; x++)
        for (let y = 0; y < SIDE; y++)
          out[i * IMAGE + c * SIDE * SIDE + x * SIDE + y] = i === flat ? FLAT[c]! : value(file, i, c, y, x);
  return out;
}

const TRAIN_Y = [3, 10, 1];
const TEST_Y = [7, 2];
const CLASS_NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

function officialFiles(): Record<string, Uint8Array | string> {
  return {
    'unlabeled_X.bin': imagesFile(0, 5, 4),
    'train_X.bin': imagesFile(1, 3),
    'train_y.bin': Uint8Array.from(TRAIN_Y),
    'test_X.bin': imagesFile(2, 2),
    'test_y.bin': Uint8Array.from(TEST_Y),
    'class_names.txt': `${CLASS_NAMES.join('\n')}\n`,
  };
}

/** Value (y, x, c) of image i of a split in NHWC. */
function at(split: ImageSplit, i: number, y: number, x: number, c: number): number {
  const side = Math.round(Math.sqrt(split.pixels.bytesPerImage / 3));
  return split.pixels.read([i])[(y * side + x) * 3 + c]!;
}

const cachePath = (split: ImageSplit) => (split.pixels as FilePixels).path;

async function failure(load: Promise<unknown>): Promise<DatasetError> {
  const e = await load.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  expect((e as Error).message).not.toContain('\n');
  return e as DatasetError;
}

describe('STL-10 binary version', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stl10-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    for (const [f, data] of Object.entries(files)) await writeFile(path.join(dir, f), data);
    return dir;
  }

  it('converts the three splits into the dataset cache, transposing column-major planes to NHWC', async () => {
    const parent = path.join(tmp, 'full');
    const dir = await folder(path.join('full', 'stl10_binary'), officialFiles());
    const cacheDir = path.join(tmp, 'cache-full');
    const progress: [number, number][] = [];
    const d = await stl10Source.load({
      dataDir: parent,
      cacheDir,
      onProgress: (n, t) => progress.push([n, t]),
    });

    expect(d.id).toBe('stl10');
    expect([d.height, d.width, d.channels]).toEqual([96, 96, 3]);
    expect([d.train.count, d.labelledTrain!.count, d.test.count]).toEqual([5, 3, 2]);
    expect(d.train.labels).toBeNull();
    expect(Array.from(d.labelledTrain!.labels!)).toEqual(TRAIN_Y.map((l) => l - 1));
    expect(Array.from(d.test.labels!)).toEqual(TEST_Y.map((l) => l - 1));
    expect(d.classNames).toEqual(CLASS_NAMES);
    expect(d.mean).toEqual([0.4467, 0.4398, 0.4066]);
    expect(d.std).toEqual([0.2603, 0.2566, 0.2713]);

    // Every split reads from one cache file in cacheDir.
    for (const split of [d.train, d.labelledTrain!, d.test]) {
      expect(split.pixels).toBeInstanceOf(FilePixels);
      expect(split.pixels.bytesPerImage).toBe(IMAGE);
    }
    const file = cachePath(d.train);
    expect(path.dirname(file)).toBe(cacheDir);
    expect(path.basename(file)).toMatch(/^stl10-96px-[0-9a-f]{16}\.images$/);
    expect(cachePath(d.test)).toBe(file);
    const header = readImageCacheHeader(file)!;
    expect(header.source).toEqual({ id: 'stl10', dataDir: dir });
    expect(header.splits.map((s) => [s.name, s.count, s.labelled])).toEqual([
      ['train', 5, false],
      ['labelledTrain', 3, true],
      ['test', 2, true],
    ]);

    // (y, x) and (x, y) hold different values, so reading the planes row-major would fail here.
    expect(value(0, 1, 0, 2, 5)).not.toBe(value(0, 1, 0, 5, 2));
    for (const [i, y, x, c] of [
      [0, 0, 0, 0],
      [1, 2, 5, 0],
      [1, 5, 2, 0],
      [2, 95, 0, 1],
      [3, 0, 95, 2],
      [3, 40, 17, 1],
    ] as const) {
      expect(at(d.train, i, y, x, c)).toBe(value(0, i, c, y, x));
    }
    expect(at(d.train, 4, 50, 60, 1)).toBe(FLAT[1]);
    expect(at(d.labelledTrain!, 2, 7, 90, 2)).toBe(value(1, 2, 2, 7, 90));
    expect(at(d.test, 1, 63, 31, 0)).toBe(value(2, 1, 0, 63, 31));

    // Progress reached every image of the three splits.
    expect(progress.at(-1)).toEqual([10, 10]);
    expect(progress.every(([n], k) => k === 0 || n > progress[k - 1]![0])).toBe(true);

    // A second load reuses the cache: same file, not rewritten, no conversion.
    const mtime = statSync(file).mtimeMs;
    const again = await stl10Source.load({
      dataDir: dir,
      cacheDir,
      onProgress: () => progress.push([-1, -1]),
    });
    expect(cachePath(again.train)).toBe(file);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(progress.at(-1)).toEqual([10, 10]);
    expect(Buffer.compare(splitBytes(again.labelledTrain!), splitBytes(d.labelledTrain!))).toBe(0);
    expect(readdirSync(cacheDir)).toEqual([path.basename(file)]);
  });

  it('inspects from file sizes alone: an unlabelled training split, evaluable, no cache built', async () => {
    const dir = await folder('inspect', officialFiles());
    const summary = await stl10Source.inspect({
      dataDir: dir,
      testSize: 1,
      cacheDir: path.join(tmp, 'unused'),
    });
    expect(summary).toEqual({
      id: 'stl10',
      name: 'STL-10',
      trainCount: 5,
      testCount: 1,
      labelled: false,
      evaluable: true,
      classes: 10,
      height: 96,
      width: 96,
      channels: 3,
    });
    expect(existsSync(path.join(tmp, 'unused'))).toBe(false);
  });

  it('converts only the first images asked for, and serves a subset from a full cache', async () => {
    const dir = await folder('limits', officialFiles());
    const cacheDir = path.join(tmp, 'cache-limits');
    const small = await stl10Source.load({ dataDir: dir, cacheDir, trainSize: 2, testSize: 1 });
    expect([small.train.count, small.labelledTrain!.count, small.test.count]).toEqual([2, 2, 1]);
    expect(Array.from(small.labelledTrain!.labels!)).toEqual([2, 9]);
    expect(at(small.train, 1, 3, 4, 2)).toBe(value(0, 1, 2, 3, 4));
    const smallHeader = readImageCacheHeader(cachePath(small.train))!;
    expect(smallHeader.splits.map((s) => s.count)).toEqual([2, 2, 1]);
    expect(smallHeader.source.variant).toBe('first 2 unlabelled, 2 labelled, 1 test images');

    const full = await stl10Source.load({ dataDir: dir, cacheDir });
    expect(cachePath(full.train)).not.toBe(cachePath(small.train));
    expect(readdirSync(cacheDir)).toHaveLength(2);

    // A subset with no cache of its own reads the full cache's first images instead of converting again.
    const three = await stl10Source.load({
      dataDir: dir,
      cacheDir,
      trainSize: 3,
      onProgress: () => expect.fail(),
    });
    expect(cachePath(three.train)).toBe(cachePath(full.train));
    expect([three.train.count, three.labelledTrain!.count, three.test.count]).toEqual([3, 3, 2]);
    expect(Array.from(three.labelledTrain!.labels!)).toEqual(TRAIN_Y.map((l) => l - 1));
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it('resizes during the conversion to the requested size, into one cache', async () => {
    const dir = await folder('resize', officialFiles());
    const cacheDir = path.join(tmp, 'cache-resize');
    const native = await stl10Source.load({ dataDir: dir, cacheDir: path.join(tmp, 'cache-native') });
    const d = await loadDataset({ id: 'stl10', dataDir: dir, cacheDir, imageSize: 32 });
    expect([d.height, d.width, d.channels]).toEqual([32, 32, 3]);
    for (const split of [d.train, d.labelledTrain!, d.test])
      expect(split.pixels.bytesPerImage).toBe(32 * 32 * 3);
    expect([d.train.count, d.labelledTrain!.count, d.test.count]).toEqual([5, 3, 2]);
    const file = cachePath(d.train);
    expect(path.basename(file)).toMatch(/^stl10-32px-/);
    expect(readdirSync(cacheDir)).toEqual([path.basename(file)]);
    // The uniform image stays uniform.
    const flat = d.train.pixels.read([4]);
    for (let p = 0; p < 32 * 32; p++) {
      for (let c = 0; c < 3; c++) expect(Math.abs(flat[p * 3 + c]! - FLAT[c]!)).toBeLessThanOrEqual(1);
    }
    // Each image is the resize of its correctly transposed 96 px original.
    const shape = { height: 96, width: 96, channels: 3 };
    expect(Array.from(d.test.pixels.read([1]))).toEqual(
      Array.from(await resizeRaw(native.test.pixels.read([1]), shape, 32)),
    );
    expect(Array.from(d.train.pixels.read([2]))).toEqual(
      Array.from(await resizeRaw(native.train.pixels.read([2]), shape, 32)),
    );
  });

  it('builds a new cache when a source file changes', async () => {
    const dir = await folder('changed', officialFiles());
    const cacheDir = path.join(tmp, 'cache-changed');
    const before = await stl10Source.load({ dataDir: dir, cacheDir });
    await writeFile(path.join(dir, 'test_y.bin'), Uint8Array.from([4, 4]));
    await utimes(path.join(dir, 'test_y.bin'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const after = await stl10Source.load({ dataDir: dir, cacheDir });
    expect(cachePath(after.test)).not.toBe(cachePath(before.test));
    expect(Array.from(after.test.labels!)).toEqual([3, 3]);
  });

  it('falls back to the standard class names without class_names.txt', async () => {
    const { ['class_names.txt']: _names, ...rest } = officialFiles();
    const dir = await folder('nonames', rest);
    const d = await stl10Source.load({ dataDir: dir, cacheDir: path.join(tmp, 'cache-nonames') });
    expect(d.classNames).toEqual(stl10ClassNames);
  });

  it('names a missing unlabeled_X.bin in one line, in inspect and load alike', async () => {
    const { ['unlabeled_X.bin']: _u, ...rest } = officialFiles();
    const dir = await folder('nounlabelled', rest);
    for (const run of [stl10Source.inspect, stl10Source.load]) {
      expect((await failure(run({ dataDir: dir, cacheDir: path.join(tmp, 'cache-errors') }))).message).toBe(
        `STL-10 unlabelled images (the 100,000 images runs pre-train on, in stl10_binary.tar.gz) missing: ${path.join(dir, 'unlabeled_X.bin')}`,
      );
    }
  });

  it('names a missing directory', async () => {
    const missing = path.join(tmp, 'nope');
    expect((await failure(stl10Source.inspect({ dataDir: missing }))).message).toBe(
      `STL-10 directory not found: ${missing}`,
    );
    expect((await failure(stl10Source.load({}))).message).toMatch(/STL-10 needs a data directory/);
  });

  it('names image files of the wrong size and label files that do not match them', async () => {
    const sizeDir = await folder('size', { ...officialFiles(), 'test_X.bin': new Uint8Array(IMAGE + 100) });
    expect((await failure(stl10Source.inspect({ dataDir: sizeDir }))).message).toBe(
      `Not an STL-10 image file (size ${IMAGE + 100} bytes is not a multiple of 27648, one 96×96×3 image): ${path.join(sizeDir, 'test_X.bin')}`,
    );
    const countDir = await folder('count', { ...officialFiles(), 'train_y.bin': Uint8Array.from([1, 2]) });
    expect((await failure(stl10Source.load({ dataDir: countDir }))).message).toBe(
      `STL-10 label file holds 2 labels for the 3 images of train_X.bin: ${path.join(countDir, 'train_y.bin')}`,
    );
  });

  it('names a label outside 1–10 before converting anything', async () => {
    const dir = await folder('label', { ...officialFiles(), 'test_y.bin': Uint8Array.from([5, 0]) });
    const cacheDir = path.join(tmp, 'cache-label');
    expect((await failure(stl10Source.load({ dataDir: dir, cacheDir }))).message).toBe(
      `STL-10 label 1 is 0, expected 1–10: ${path.join(dir, 'test_y.bin')}`,
    );
    expect(existsSync(cacheDir)).toBe(false);
  });
});
