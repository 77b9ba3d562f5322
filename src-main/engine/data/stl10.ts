import { createHash } from 'node:crypto';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatasetSummary } from '../../domain';
import { DatasetError } from '../../domain';
import type { Dataset, DatasetOptions, DatasetSource, ImageSplit } from './dataset';
import { openCachedSplit, readImageCacheHeader, writeImageCache, type ImageCacheHeader } from './image-cache';
import { resizeRaw } from './resize';
import { cacheFolder } from './resized';
import { checkSize } from './sizes';
import { isDirectory, isFile } from './paths';

/**
 * STL-10 in its binary version (https://cs.stanford.edu/~acoates/stl10/, "Binary files"): train_X.bin
 * (5,000 labelled training images), test_X.bin (8,000 test images) and unlabeled_X.bin (100,000
 * unlabelled images, 2.7 GB) are tightly packed uint8 images of 96×96×3, each stored one channel at a
 * time (red, green, blue) and each channel in column-major order; train_y.bin and test_y.bin hold one
 * label byte per image, 1–10; class_names.txt names the classes, one a line.
 *
 * A run pre-trains on the unlabelled images and evaluates with the labelled ones, so the files are
 * converted once (to NHWC, at the run's image size) into the dataset cache and read from there a batch
 * at a time: however large the unlabelled set, memory stays bounded.
 */

const SIZE = 96;
const PLANE = SIZE * SIZE;
const IMAGE_BYTES = 3 * PLANE;
const CLASSES = 10;
const FOLDER = 'stl10_binary';
/** Images resized at once while converting: enough to keep every core's libvips busy. */
const IN_FLIGHT = Math.max(4, os.availableParallelism() * 2);

export const stl10ClassNames = [
  'airplane',
  'bird',
  'car',
  'cat',
  'deer',
  'dog',
  'horse',
  'monkey',
  'ship',
  'truck',
];

const FILES = {
  unlabelled: 'unlabeled_X.bin',
  trainImages: 'train_X.bin',
  trainLabels: 'train_y.bin',
  testImages: 'test_X.bin',
  testLabels: 'test_y.bin',
} as const;

interface SourceFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** How many images each split of the cache holds: the files' counts, cut to trainSize and testSize. */
interface SplitCounts {
  unlabelled: number;
  labelledTrain: number;
  test: number;
}

interface Stl10Files {
  dir: string;
  files: Record<keyof typeof FILES, SourceFile>;
  /** Every image of the files. */
  available: SplitCounts;
  /** The images asked for (trainSize caps both training splits, testSize the test split). */
  wanted: SplitCounts;
}

/** Accepts the `stl10_binary` folder itself or a folder that contains it. */
async function resolveFolder(dataDir: string | undefined): Promise<string> {
  if (!dataDir) throw new DatasetError(`STL-10 needs a data directory (the ${FOLDER} folder)`);
  const dir = path.resolve(dataDir);
  if (!(await isDirectory(dir))) throw new DatasetError(`STL-10 directory not found: ${dir}`);
  const nested = path.join(dir, FOLDER);
  if (!(await isFile(path.join(dir, FILES.testImages))) && (await isDirectory(nested))) return nested;
  return dir;
}

const described: Record<keyof typeof FILES, string> = {
  unlabelled: 'unlabelled images (the 100,000 images runs pre-train on, in stl10_binary.tar.gz)',
  trainImages: 'labelled training images',
  trainLabels: 'training labels',
  testImages: 'test images',
  testLabels: 'test labels',
};

async function statFile(file: string, what: string): Promise<SourceFile> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new DatasetError(`STL-10 ${what} is not a file: ${file}`);
    return { path: file, size: s.size, mtimeMs: s.mtimeMs };
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(`STL-10 ${what} missing: ${file}`);
    throw new DatasetError(`Cannot read STL-10 ${what} (${code}): ${file}`);
  }
}

function imageCount(file: SourceFile): number {
  if (file.size === 0) throw new DatasetError(`STL-10 image file is empty: ${file.path}`);
  if (file.size % IMAGE_BYTES !== 0) {
    throw new DatasetError(
      `Not an STL-10 image file (size ${file.size} bytes is not a multiple of ${IMAGE_BYTES}, one 96×96×3 image): ${file.path}`,
    );
  }
  return file.size / IMAGE_BYTES;
}

function checkLabelCount(labels: SourceFile, images: SourceFile): void {
  const count = imageCount(images);
  if (labels.size !== count) {
    throw new DatasetError(
      `STL-10 label file holds ${labels.size} labels for the ${count} images of ${path.basename(images.path)}: ${labels.path}`,
    );
  }
}

/** Finds the files and checks their sizes: everything inspect() needs, without reading an image. */
async function scanFiles(options: DatasetOptions): Promise<Stl10Files> {
  const dir = await resolveFolder(options.dataDir);
  const trainLimit = checkSize(options.trainSize, 'trainSize') ?? Infinity;
  const testLimit = checkSize(options.testSize, 'testSize') ?? Infinity;
  const files = {} as Record<keyof typeof FILES, SourceFile>;
  for (const key of Object.keys(FILES) as (keyof typeof FILES)[]) {
    files[key] = await statFile(path.join(dir, FILES[key]), described[key]);
  }
  checkLabelCount(files.trainLabels, files.trainImages);
  checkLabelCount(files.testLabels, files.testImages);
  const available = {
    unlabelled: imageCount(files.unlabelled),
    labelledTrain: imageCount(files.trainImages),
    test: imageCount(files.testImages),
  };
  const wanted = {
    unlabelled: Math.min(available.unlabelled, trainLimit),
    labelledTrain: Math.min(available.labelledTrain, trainLimit),
    test: Math.min(available.test, testLimit),
  };
  return { dir, files, available, wanted };
}

/** The first `count` labels of a label file, 1–10 in the file, 0–9 here. */
async function readLabels(file: string, count: number): Promise<Int32Array> {
  const bytes = (await readFile(file)).subarray(0, count);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = bytes[i]!;
    if (label < 1 || label > CLASSES) {
      throw new DatasetError(`STL-10 label ${i} is ${label}, expected 1–${CLASSES}: ${file}`);
    }
    labels[i] = label - 1;
  }
  return labels;
}

/** Class names from class_names.txt when it lists ten, else the standard ones. */
async function readClassNames(dir: string): Promise<string[]> {
  try {
    const names = (await readFile(path.join(dir, 'class_names.txt'), 'utf8'))
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (names.length === CLASSES) return names;
  } catch {
    // The names file is optional.
  }
  return [...stl10ClassNames];
}

/**
 * One image from STL-10's layout to NHWC: channel c's value at (y, x) is at c·96² + x·96 + y (channel
 * planes, each column-major).
 */
function toHwc(src: Uint8Array, at: number, out: Uint8Array, outAt: number): void {
  for (let c = 0; c < 3; c++) {
    const plane = at + c * PLANE;
    for (let x = 0; x < SIZE; x++) {
      const column = plane + x * SIZE;
      for (let y = 0; y < SIZE; y++) out[outAt + (y * SIZE + x) * 3 + c] = src[column + y]!;
    }
  }
}

async function readExactly(handle: FileHandle, file: string, out: Buffer, position: number): Promise<void> {
  let got = 0;
  while (got < out.length) {
    const { bytesRead } = await handle.read(out, got, out.length - got, position + got);
    if (bytesRead === 0)
      throw new DatasetError(`STL-10 file ended while being converted (changed on disk?): ${file}`);
    got += bytesRead;
  }
}

/** Fills cache chunks from an image file: read, transposed to NHWC, resized where `size` is not 96. */
function imageFiller(handle: FileHandle, file: string, size: number) {
  const per = size * size * 3;
  let raw = Buffer.alloc(0);
  return async (first: number, n: number, out: Uint8Array): Promise<void> => {
    if (raw.length < n * IMAGE_BYTES) raw = Buffer.alloc(n * IMAGE_BYTES);
    const chunk = raw.subarray(0, n * IMAGE_BYTES);
    await readExactly(handle, file, chunk, first * IMAGE_BYTES);
    if (size === SIZE) {
      for (let i = 0; i < n; i++) toHwc(chunk, i * IMAGE_BYTES, out, i * per);
      return;
    }
    const shape = { height: SIZE, width: SIZE, channels: 3 };
    for (let start = 0; start < n; start += IN_FLIGHT) {
      const batch = Array.from({ length: Math.min(IN_FLIGHT, n - start) }, (_, k) => start + k);
      const resized = await Promise.all(
        batch.map((i) => {
          const hwc = new Uint8Array(IMAGE_BYTES);
          toHwc(chunk, i * IMAGE_BYTES, hwc, 0);
          return resizeRaw(hwc, shape, size);
        }),
      );
      batch.forEach((i, k) => out.set(resized[k]!, i * per));
    }
  };
}

/** The cache's key: the source files' identities, the counts converted and the image size. */
function cacheKey(scan: Stl10Files, counts: SplitCounts, size: number): string {
  const files = Object.values(scan.files).map((f) => [path.basename(f.path), f.size, f.mtimeMs]);
  return createHash('sha256')
    .update(JSON.stringify({ format: FOLDER, files, counts, size }))
    .digest('hex');
}

const cacheFile = (options: DatasetOptions, key: string, size: number) =>
  path.join(cacheFolder(options), `stl10-${size}px-${key.slice(0, 16)}.images`);

/** A cache whose header says it was built under `key`, or null. */
function existingCache(file: string, key: string): ImageCacheHeader | null {
  const header = readImageCacheHeader(file);
  return header?.key === key ? header : null;
}

async function convert(scan: Stl10Files, file: string, key: string, size: number, options: DatasetOptions) {
  const { files, wanted, available } = scan;
  // Labels are small (a byte an image) and checked before the long conversion starts.
  const trainLabels = await readLabels(files.trainLabels.path, wanted.labelledTrain);
  const testLabels = await readLabels(files.testLabels.path, wanted.test);
  const subset =
    wanted.unlabelled < available.unlabelled ||
    wanted.labelledTrain < available.labelledTrain ||
    wanted.test < available.test;
  const handles: FileHandle[] = [];
  const openImages = async (f: SourceFile) => {
    const handle = await open(f.path, 'r');
    handles.push(handle);
    return imageFiller(handle, f.path, size);
  };
  try {
    return await writeImageCache(
      file,
      {
        key,
        source: {
          id: 'stl10',
          dataDir: scan.dir,
          ...(subset
            ? {
                variant: `first ${wanted.unlabelled} unlabelled, ${wanted.labelledTrain} labelled, ${wanted.test} test images`,
              }
            : {}),
        },
        height: size,
        width: size,
        channels: 3,
        classNames: await readClassNames(scan.dir),
        meta: { files: Object.values(files) },
      },
      [
        { name: 'train', count: wanted.unlabelled, labels: null, fill: await openImages(files.unlabelled) },
        {
          name: 'labelledTrain',
          count: wanted.labelledTrain,
          labels: trainLabels,
          fill: await openImages(files.trainImages),
        },
        { name: 'test', count: wanted.test, labels: testLabels, fill: await openImages(files.testImages) },
      ],
      options.onProgress,
    );
  } finally {
    for (const handle of handles) await handle.close();
  }
}

export async function inspectStl10(options: DatasetOptions): Promise<DatasetSummary> {
  const { wanted } = await scanFiles(options);
  return {
    id: 'stl10',
    name: 'STL-10',
    trainCount: wanted.unlabelled,
    testCount: wanted.test,
    labelled: false,
    evaluable: true,
    classes: CLASSES,
    height: SIZE,
    width: SIZE,
    channels: 3,
  };
}

export async function loadStl10(options: DatasetOptions): Promise<Dataset> {
  const scan = await scanFiles(options);
  const size = checkSize(options.imageSize, 'imageSize') ?? SIZE;
  const key = cacheKey(scan, scan.wanted, size);
  let file = cacheFile(options, key, size);
  let header = existingCache(file, key);
  if (!header) {
    // A cache of every image serves any subset of it: no conversion where one is there.
    const fullKey = cacheKey(scan, scan.available, size);
    const full = cacheFile(options, fullKey, size);
    header = fullKey === key ? null : existingCache(full, fullKey);
    if (header) file = full;
    else header = await convert(scan, file, key, size, options);
  }
  const { wanted } = scan;
  const split = (name: string, count: number): ImageSplit => openCachedSplit(file, header, name, count);
  return {
    id: 'stl10',
    name: 'STL-10',
    height: size,
    width: size,
    channels: 3,
    classNames: header.classNames,
    train: split('train', wanted.unlabelled),
    labelledTrain: split('labelledTrain', wanted.labelledTrain),
    test: split('test', wanted.test),
    // The commonly used STL-10 statistics, fixed so that a subset normalises like the whole.
    mean: [0.4467, 0.4398, 0.4066],
    std: [0.2603, 0.2566, 0.2713],
  };
}

export const stl10Source: DatasetSource = {
  id: 'stl10',
  name: 'STL-10',
  needsDataDir: true,
  nativeSize: SIZE,
  description:
    '113,000 96×96 colour images: 100,000 unlabelled ones to pre-train on, and 5,000 labelled training and ' +
    '8,000 test images in 10 classes for evaluation, from the binary version at ' +
    `https://cs.stanford.edu/~acoates/stl10/ (the ${FOLDER} folder: unlabeled_X.bin, train_X.bin, train_y.bin, ` +
    'test_X.bin, test_y.bin, class_names.txt); converted once into the dataset cache.',
  load: loadStl10,
  inspect: inspectStl10,
};
