import { createHash } from 'node:crypto';
import path from 'node:path';
import { DatasetError, imageSizeRange, type DatasetSummary } from '../../domain';
import { Rng } from '../util/rng';
import type { Dataset, DatasetOptions, DatasetSource } from './dataset';
import { openCachedSplit, readImageCacheHeader } from './image-cache';
import {
  buildFolderCache,
  decoderVersion,
  isImageFolderMeta,
  type ImageFolderCacheMeta,
  type PlannedSplit,
} from './imagefolder-cache';
import { scanImageFolder, type FolderImage, type FolderLayout } from './imagefolder-scan';
import { cacheFolder } from './resized';
import { checkSize } from './sizes';

/**
 * Your own images: a folder with one subfolder per class (torchvision's ImageFolder layout: labels from
 * the sorted folder names, images at any depth below a class folder), a flat folder without labels, or
 * train/ and test/ (or val/) subfolders of that kind. Without a test folder a labelled test split is
 * held out, stratified by class and seeded. Images are decoded once into the dataset cache at the image
 * size (image-cache.ts) and read from it a batch at a time.
 */

/** Folders have no size of their own: without `imageSize`, images are cached at this side. */
export const defaultFolderImageSize = 64;
export const defaultTestFraction = 0.1;

interface FolderOptions {
  size: number;
  testFraction: number;
  seed: number;
  trainLimit: number | undefined;
  testLimit: number | undefined;
}

function checkOptions(options: DatasetOptions): FolderOptions {
  const size = options.imageSize ?? defaultFolderImageSize;
  if (!Number.isInteger(size) || size < imageSizeRange.min || size > imageSizeRange.max) {
    throw new DatasetError(
      `imageSize must be a whole number from ${imageSizeRange.min} to ${imageSizeRange.max}, got ${size}`,
    );
  }
  const testFraction = options.testFraction ?? defaultTestFraction;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DatasetError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  return {
    size,
    testFraction,
    seed: options.seed ?? 0,
    trainLimit: checkSize(options.trainSize, 'trainSize'),
    testLimit: checkSize(options.testSize, 'testSize'),
  };
}

/**
 * A split's images in the order the cache keeps them: one of each class in turn (each class in path
 * order), so that the first N images (`trainSize`, `testSize`) hold every class, not just the first.
 */
function interleaveClasses(images: FolderImage[]): FolderImage[] {
  const byClass = new Map<number | null, FolderImage[]>();
  for (const image of images) {
    const list = byClass.get(image.label) ?? [];
    list.push(image);
    byClass.set(image.label, list);
  }
  const lists = [...byClass.entries()]
    .sort(([a], [b]) => (a ?? -1) - (b ?? -1))
    .map(([, list]) => list.sort((x, y) => (x.path < y.path ? -1 : 1)));
  const out: FolderImage[] = [];
  for (let k = 0; out.length < images.length; k++) {
    for (const list of lists) if (k < list.length) out.push(list[k]!);
  }
  return out;
}

/** A 32-bit seed for one class: each class is split on its own, so a change in one leaves the others alone. */
function classSeed(seed: number, className: string): number {
  return createHash('sha256').update(`${seed}\u0000${className}`).digest().readUInt32LE(0);
}

/**
 * Holds out round(n × fraction) images of each class (at least one stays for training), drawn by a
 * generator seeded from the seed and the class name: the same folder and seed always split the same way.
 */
function holdOut(
  images: FolderImage[],
  classNames: string[],
  fraction: number,
  seed: number,
): { train: FolderImage[]; test: FolderImage[] } {
  const train: FolderImage[] = [];
  const test: FolderImage[] = [];
  classNames.forEach((name, label) => {
    const members = images
      .filter((image) => image.label === label)
      .sort((x, y) => (x.path < y.path ? -1 : 1));
    const held = Math.min(members.length - 1, Math.round(members.length * fraction));
    const order = new Rng(classSeed(seed, name)).permutation(members.length);
    const isHeld = new Uint8Array(members.length);
    for (let k = 0; k < held; k++) isHeld[order[k]!] = 1;
    members.forEach((image, i) => (isHeld[i] ? test : train).push(image));
  });
  return { train, test };
}

interface FolderPlan {
  splits: [PlannedSplit, PlannedSplit];
  /** What tells this folder's caches at one size apart (Datasets view). */
  variant: string;
}

function planSplits(layout: FolderLayout, options: FolderOptions): FolderPlan {
  const split = (name: string, images: FolderImage[], labelled: boolean): PlannedSplit => ({
    name,
    images: interleaveClasses(images),
    labelled,
  });
  if (layout.test) {
    return {
      splits: [
        split('train', layout.train.images, layout.train.labelled),
        split('test', layout.test.images, layout.test.labelled),
      ],
      variant: `train/ and ${layout.testFolder}/`,
    };
  }
  if (!layout.train.labelled) {
    // Nothing to evaluate against without labels: every image trains.
    return {
      splits: [split('train', layout.train.images, false), split('test', [], false)],
      variant: 'unlabelled',
    };
  }
  const { train, test } = holdOut(layout.train.images, layout.classNames, options.testFraction, options.seed);
  return {
    splits: [split('train', train, true), split('test', test, true)],
    variant: `${+(options.testFraction * 100).toFixed(2)}% held out for testing (seed ${options.seed})`,
  };
}

/** The cache's key: the decoder, the size, the classes and every file's identity in every split. */
function cacheKey(layout: FolderLayout, plan: FolderPlan, size: number): string {
  const digest = createHash('sha256');
  digest.update(`imagefolder decoder ${decoderVersion} ${size}px\n${JSON.stringify(layout.classNames)}\n`);
  for (const split of plan.splits) {
    digest.update(`${split.name} ${split.labelled} ${split.images.length}\n`);
    for (const image of split.images) {
      digest.update(`${image.label}\t${image.path}\t${image.size}\t${image.mtimeMs}\n`);
    }
  }
  return digest.digest('hex');
}

function cachePrefix(size: number): string {
  return `imagefolder-${size}px-`;
}

/** One cache file per folder, size and split: a changed folder replaces its cache rather than adding one. */
function cacheFile(options: DatasetOptions, root: string, plan: FolderPlan, size: number): string {
  const name = createHash('sha256').update(`${root}\u0000${plan.variant}`).digest('hex').slice(0, 16);
  return path.join(cacheFolder(options), `${cachePrefix(size)}${name}.images`);
}

function datasetName(root: string): string {
  return `Image folder (${path.basename(root)})`;
}

/** The run log's lines about the folder: what the walk left out, then each file that could not be decoded. */
function notesOf(layout: FolderLayout, meta: ImageFolderCacheMeta): string[] {
  const notes = [...layout.notes];
  if (meta.skipped.length > 0) {
    const total = meta.skipped.length + Object.values(meta.files).reduce((n, f) => n + f.length, 0);
    notes.push(
      `${meta.skipped.length} of ${total} image files in ${layout.root} could not be decoded and were skipped`,
    );
    for (const s of meta.skipped) notes.push(`skipped ${s.path}: ${s.reason}`);
  }
  return notes;
}

/** Hooks for tests and tools: `onDecode` is called for each file actually decoded (not copied from a cache). */
export interface ImageFolderHooks {
  onDecode?: (relativePath: string) => void;
}

export async function loadImageFolder(
  options: DatasetOptions,
  hooks: ImageFolderHooks = {},
): Promise<Dataset> {
  const folderOptions = checkOptions(options);
  const layout = await scanImageFolder(options.dataDir);
  const { size } = folderOptions;
  const plan = planSplits(layout, folderOptions);
  const key = cacheKey(layout, plan, size);
  const file = cacheFile(options, layout.root, plan, size);
  let header = readImageCacheHeader(file);
  if (header?.key !== key || !isImageFolderMeta(header.meta)) {
    header = await buildFolderCache({
      file,
      key,
      root: layout.root,
      size,
      source: { id: 'imagefolder', dataDir: layout.root, variant: plan.variant },
      classNames: layout.classNames,
      splits: plan.splits,
      donorPrefix: cachePrefix(size),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(hooks.onDecode ? { onDecode: hooks.onDecode } : {}),
    });
  }
  const meta = header.meta as ImageFolderCacheMeta;
  const notes = notesOf(layout, meta);
  return {
    id: 'imagefolder',
    name: datasetName(layout.root),
    height: size,
    width: size,
    channels: 3,
    classNames: layout.classNames,
    train: openCachedSplit(file, header, 'train', folderOptions.trainLimit),
    test: openCachedSplit(file, header, 'test', folderOptions.testLimit),
    ...(notes.length > 0 ? { notes } : {}),
    mean: meta.mean,
    std: meta.std,
  };
}

/**
 * The folder's counts and classes from a walk of its folders: no image is decoded, so files that turn
 * out broken are still counted (load skips them and says which).
 */
export async function inspectImageFolder(options: DatasetOptions): Promise<DatasetSummary> {
  const folderOptions = checkOptions(options);
  const layout = await scanImageFolder(options.dataDir);
  const [train, test] = planSplits(layout, folderOptions).splits;
  const testCount = Math.min(test.images.length, folderOptions.testLimit ?? Infinity);
  return {
    id: 'imagefolder',
    name: datasetName(layout.root),
    trainCount: Math.min(train.images.length, folderOptions.trainLimit ?? Infinity),
    testCount,
    labelled: train.labelled,
    evaluable: train.labelled && test.labelled && testCount > 0,
    ...(train.labelled ? { classes: layout.classNames.length } : {}),
    height: folderOptions.size,
    width: folderOptions.size,
    channels: 3,
  };
}

export const imageFolderSource: DatasetSource = {
  id: 'imagefolder',
  name: 'Image folder',
  needsDataDir: true,
  description:
    'Your own images (JPEG, PNG, WebP, GIF, TIFF, BMP): a folder with one subfolder per class, train/ and test/ ' +
    'subfolders, or a flat folder without labels. Decoded once into the dataset cache at the image size ' +
    `(default ${defaultFolderImageSize} px); without a test folder, ${defaultTestFraction * 100}% of each ` +
    'class is held out for testing.',
  load: (options) => loadImageFolder(options),
  inspect: inspectImageFolder,
};
