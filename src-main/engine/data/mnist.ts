import path from 'node:path';
import type { DatasetId, DatasetSummary } from '../../domain';
import { DatasetError } from '../../domain';
import type { Dataset, DatasetOptions, DatasetSource, ImageSplit } from './dataset';
import {
  checkIdxLength,
  expectIdxMagic,
  IDX_UBYTE_IMAGES,
  IDX_UBYTE_LABELS,
  readIdxHeader,
  readIdxItems,
  type IdxHeader,
} from './idx';
import { MemoryPixels } from './pixels';
import { checkSize } from './sizes';
import { isDirectory, isFile } from './paths';

/**
 * MNIST (http://yann.lecun.com/exdb/mnist/) and Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist),
 * which shares its layout: four IDX files (data/idx.ts), plain or gzipped, of 28×28 greyscale images
 * (0x00000803, [count, 28, 28], row-major, 0 = background) and their labels (0x00000801, [count], 0–9).
 * Both are small enough to hold in memory (47 MB of pixels for the 60,000 training images).
 */

const SIZE = 28;
const CLASSES = 10;

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const mnistClassNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Fashion-MNIST's labels, as its README lists them. */
export const fashionMnistClassNames = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

interface IdxVariant {
  id: DatasetId;
  name: string;
  classNames: string[];
  /** The subfolder torchvision downloads it to (`<root>/<folder>/raw`). */
  torchvisionFolder: string;
  /** The usual training-set statistics, one channel. */
  mean: number;
  std: number;
}

const mnist: IdxVariant = {
  id: 'mnist',
  name: 'MNIST',
  classNames: mnistClassNames,
  torchvisionFolder: 'MNIST',
  mean: 0.1307,
  std: 0.3081,
};

const fashionMnist: IdxVariant = {
  id: 'fashion-mnist',
  name: 'Fashion-MNIST',
  classNames: fashionMnistClassNames,
  torchvisionFolder: 'FashionMNIST',
  mean: 0.286,
  std: 0.353,
};

/** The file `name` or `name.gz` in `dir`, the plain one first; null when neither is there. */
async function findIdx(dir: string, name: string): Promise<string | null> {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (await isFile(file)) return file;
  }
  return null;
}

/** Accepts the folder of the four files itself or torchvision's `<root>/MNIST/raw` (`FashionMNIST/raw`). */
async function resolveFolder(variant: IdxVariant, dataDir: string | undefined): Promise<string> {
  if (!dataDir) {
    throw new DatasetError(`${variant.name} needs a data directory (the folder of its four IDX files)`);
  }
  const dir = path.resolve(dataDir);
  if (!(await isDirectory(dir))) throw new DatasetError(`${variant.name} directory not found: ${dir}`);
  const nested = path.join(dir, variant.torchvisionFolder, 'raw');
  if (!(await findIdx(dir, FILES.trainImages)) && (await isDirectory(nested))) return nested;
  return dir;
}

interface SplitFiles {
  images: IdxHeader;
  labels: IdxHeader;
}

/** Finds and checks one split's image and label files from their headers and lengths alone. */
async function openSplit(
  variant: IdxVariant,
  dir: string,
  imagesName: string,
  labelsName: string,
  split: string,
): Promise<SplitFiles> {
  const locate = async (name: string, what: string) => {
    const file = await findIdx(dir, name);
    if (!file)
      throw new DatasetError(`${variant.name} ${split} ${what} missing: ${path.join(dir, name)}(.gz)`);
    return file;
  };
  const images = await readIdxHeader(await locate(imagesName, 'images'));
  expectIdxMagic(images, IDX_UBYTE_IMAGES, 'image');
  const [count, rows, columns] = images.dims as [number, number, number];
  if (rows !== SIZE || columns !== SIZE) {
    throw new DatasetError(
      `${variant.name} images must be ${SIZE}×${SIZE}, this file holds ${rows}×${columns}: ${images.file}`,
    );
  }
  if (count === 0)
    throw new DatasetError(`${variant.name} ${split} image file holds no images: ${images.file}`);
  const labels = await readIdxHeader(await locate(labelsName, 'labels'));
  expectIdxMagic(labels, IDX_UBYTE_LABELS, 'label');
  if (labels.dims[0] !== count) {
    throw new DatasetError(
      `${variant.name} ${split} labels and images differ in number (${labels.dims[0]} labels, ${count} images): ${labels.file}`,
    );
  }
  await checkIdxLength(images);
  await checkIdxLength(labels);
  return { images, labels };
}

async function openFiles(variant: IdxVariant, options: DatasetOptions) {
  const dir = await resolveFolder(variant, options.dataDir);
  return {
    train: await openSplit(variant, dir, FILES.trainImages, FILES.trainLabels, 'training'),
    test: await openSplit(variant, dir, FILES.testImages, FILES.testLabels, 'test'),
    trainLimit: checkSize(options.trainSize, 'trainSize'),
    testLimit: checkSize(options.testSize, 'testSize'),
  };
}

/** The first `limit` images and labels of a split (all without a limit); images are already NHWC, C = 1. */
async function readSplit(
  variant: IdxVariant,
  files: SplitFiles,
  limit: number | undefined,
): Promise<ImageSplit> {
  const count = Math.min(files.images.dims[0]!, limit ?? Infinity);
  const images = await readIdxItems(files.images, count);
  const labelBytes = await readIdxItems(files.labels, count);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labelBytes[i]!;
    if (label >= CLASSES) {
      throw new DatasetError(
        `${variant.name} label ${i} is ${label}, expected 0–${CLASSES - 1}: ${files.labels.file}`,
      );
    }
    labels[i] = label;
  }
  return { pixels: new MemoryPixels(images, count), labels, count };
}

async function inspectIdx(variant: IdxVariant, options: DatasetOptions): Promise<DatasetSummary> {
  const { train, test, trainLimit, testLimit } = await openFiles(variant, options);
  return {
    id: variant.id,
    name: variant.name,
    trainCount: Math.min(train.images.dims[0]!, trainLimit ?? Infinity),
    testCount: Math.min(test.images.dims[0]!, testLimit ?? Infinity),
    labelled: true,
    evaluable: true,
    classes: variant.classNames.length,
    height: SIZE,
    width: SIZE,
    channels: 1,
  };
}

async function loadIdx(variant: IdxVariant, options: DatasetOptions): Promise<Dataset> {
  const { train, test, trainLimit, testLimit } = await openFiles(variant, options);
  return {
    id: variant.id,
    name: variant.name,
    height: SIZE,
    width: SIZE,
    channels: 1,
    classNames: [...variant.classNames],
    train: await readSplit(variant, train, trainLimit),
    test: await readSplit(variant, test, testLimit),
    // Fixed statistics of the full training set (as torchvision's examples use), so a subset normalises
    // like the whole; the Dataset type is per RGB channel, so the one value is repeated.
    mean: [variant.mean, variant.mean, variant.mean],
    std: [variant.std, variant.std, variant.std],
  };
}

const filesInWords =
  'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each gzipped (.gz) or not';

export const mnistSource: DatasetSource = {
  id: 'mnist',
  name: 'MNIST',
  needsDataDir: true,
  nativeSize: SIZE,
  description:
    `70,000 28×28 greyscale handwritten digits (0–9): 60,000 training and 10,000 test images, from the four IDX files ` +
    `${filesInWords}, as published at http://yann.lecun.com/exdb/mnist/ (or torchvision's MNIST/raw folder).`,
  load: (options) => loadIdx(mnist, options),
  inspect: (options) => inspectIdx(mnist, options),
};

export const fashionMnistSource: DatasetSource = {
  id: 'fashion-mnist',
  name: 'Fashion-MNIST',
  needsDataDir: true,
  nativeSize: SIZE,
  description:
    `70,000 28×28 greyscale photos of clothing in 10 classes (Zalando's drop-in replacement for MNIST): 60,000 ` +
    `training and 10,000 test images, from the four IDX files ${filesInWords}, as published at ` +
    `https://github.com/zalandoresearch/fashion-mnist; on Debian the package dataset-fashion-mnist installs them ` +
    `in /usr/share/datasets/fashion-mnist.`,
  load: (options) => loadIdx(fashionMnist, options),
  inspect: (options) => inspectIdx(fashionMnist, options),
};
