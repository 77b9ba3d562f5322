import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetSummary } from '../../domain';
import { DatasetError } from '../../domain';
import type { Dataset, DatasetOptions, DatasetSource, ImageSplit } from './dataset';
import { MemoryPixels } from './pixels';
import { checkSize } from './sizes';
import { isDirectory, isFile } from './paths';

/**
 * CIFAR-100 in its official binary version (https://www.cs.toronto.edu/~kriz/cifar.html, "Binary
 * version"): train.bin (50,000 records) and test.bin (10,000), each record one coarse-label byte (0–19),
 * one fine-label byte (0–99), then 3072 bytes, the 32×32 red plane, then green, then blue, each
 * row-major; fine_label_names.txt and coarse_label_names.txt name the classes, one a line.
 */

const SIZE = 32;
const PLANE = SIZE * SIZE;
const IMAGE_BYTES = 3 * PLANE;
const RECORD_BYTES = 2 + IMAGE_BYTES;
const FINE_CLASSES = 100;
const COARSE_CLASSES = 20;
const FOLDER = 'cifar-100-binary';
/** Records converted per read: bounds the memory a load takes beside the images themselves. */
const RECORDS_PER_READ = 2048;

/** The names of fine_label_names.txt, in label order. */
// prettier-ignore
export const cifar100FineClassNames = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

/** The names of coarse_label_names.txt, in label order. */
// prettier-ignore
export const cifar100CoarseClassNames = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores',
  'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
  'vehicles_1', 'vehicles_2',
];

/** Accepts the `cifar-100-binary` folder itself or a folder that contains it. */
async function resolveFolder(dataDir: string | undefined): Promise<string> {
  if (!dataDir) throw new DatasetError(`CIFAR-100 needs a data directory (the ${FOLDER} folder)`);
  const dir = path.resolve(dataDir);
  if (!(await isDirectory(dir))) throw new DatasetError(`CIFAR-100 directory not found: ${dir}`);
  const nested = path.join(dir, FOLDER);
  if (!(await isFile(path.join(dir, 'test.bin'))) && (await isDirectory(nested))) return nested;
  return dir;
}

async function openRecords(file: string): Promise<{ handle: FileHandle; count: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(`CIFAR-100 file missing: ${file}`);
    throw new DatasetError(`Cannot read CIFAR-100 file (${code}): ${file}`);
  }
  try {
    const size = (await handle.stat()).size;
    if (size === 0) throw new DatasetError(`CIFAR-100 file is empty: ${file}`);
    if (size % RECORD_BYTES !== 0) {
      throw new DatasetError(
        `Not a CIFAR-100 binary file (size ${size} bytes is not a multiple of ${RECORD_BYTES}): ${file}`,
      );
    }
    return { handle, count: size / RECORD_BYTES };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

function checkLabels(file: string, n: number, coarse: number, fine: number): void {
  if (coarse >= COARSE_CLASSES) {
    throw new DatasetError(`CIFAR-100 record ${n} has coarse label ${coarse}, expected 0–19: ${file}`);
  }
  if (fine >= FINE_CLASSES) {
    throw new DatasetError(`CIFAR-100 record ${n} has fine label ${fine}, expected 0–99: ${file}`);
  }
}

/** The number of records of a file, from its size, and a check of its first record's labels. */
async function countRecords(file: string): Promise<number> {
  const { handle, count } = await openRecords(file);
  try {
    const { buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    checkLabels(file, 0, buffer[0]!, buffer[1]!);
  } finally {
    await handle.close();
  }
  return count;
}

/**
 * The first `limit` records of a file (all without a limit) as NHWC images and the chosen labels, read a
 * block of records at a time so that the file is never held whole beside the images.
 */
async function readSplit(
  file: string,
  limit: number | undefined,
  coarseLabels: boolean,
): Promise<ImageSplit> {
  const { handle, count: available } = await openRecords(file);
  const count = Math.min(available, limit ?? Infinity);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  const block = Buffer.alloc(Math.min(count, RECORDS_PER_READ) * RECORD_BYTES);
  try {
    for (let first = 0; first < count; first += RECORDS_PER_READ) {
      const n = Math.min(RECORDS_PER_READ, count - first);
      const length = n * RECORD_BYTES;
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(block, got, length - got, first * RECORD_BYTES + got);
        if (bytesRead === 0) throw new DatasetError(`CIFAR-100 file changed while being read: ${file}`);
        got += bytesRead;
      }
      for (let k = 0; k < n; k++) {
        const rec = k * RECORD_BYTES;
        const coarse = block[rec]!;
        const fine = block[rec + 1]!;
        checkLabels(file, first + k, coarse, fine);
        labels[first + k] = coarseLabels ? coarse : fine;
        // Planar (CHW) to interleaved (HWC).
        const src = rec + 2;
        const dst = (first + k) * IMAGE_BYTES;
        for (let p = 0; p < PLANE; p++) {
          images[dst + 3 * p] = block[src + p]!;
          images[dst + 3 * p + 1] = block[src + PLANE + p]!;
          images[dst + 3 * p + 2] = block[src + 2 * PLANE + p]!;
        }
      }
    }
  } finally {
    await handle.close();
  }
  return { pixels: new MemoryPixels(images, count), labels, count };
}

/** Class names from the archive's names file (one a line) when it lists as many as expected, else the standard ones. */
async function readClassNames(dir: string, coarseLabels: boolean): Promise<string[]> {
  const [file, standard] = coarseLabels
    ? ['coarse_label_names.txt', cifar100CoarseClassNames]
    : ['fine_label_names.txt', cifar100FineClassNames];
  try {
    const names = (await readFile(path.join(dir, file), 'utf8'))
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (names.length === standard.length) return names;
  } catch {
    // The names files are optional.
  }
  return [...standard];
}

async function splitFiles(options: DatasetOptions) {
  const dir = await resolveFolder(options.dataDir);
  return {
    dir,
    trainFile: path.join(dir, 'train.bin'),
    testFile: path.join(dir, 'test.bin'),
    trainLimit: checkSize(options.trainSize, 'trainSize'),
    testLimit: checkSize(options.testSize, 'testSize'),
    coarseLabels: options.coarseLabels === true,
  };
}

const nameOf = (coarseLabels: boolean) => (coarseLabels ? 'CIFAR-100 (20 coarse classes)' : 'CIFAR-100');

export async function inspectCifar100(options: DatasetOptions): Promise<DatasetSummary> {
  const { trainFile, testFile, trainLimit, testLimit, coarseLabels } = await splitFiles(options);
  const trainCount = await countRecords(trainFile);
  const testCount = await countRecords(testFile);
  return {
    id: 'cifar100',
    name: nameOf(coarseLabels),
    trainCount: Math.min(trainCount, trainLimit ?? Infinity),
    testCount: Math.min(testCount, testLimit ?? Infinity),
    labelled: true,
    evaluable: true,
    classes: coarseLabels ? COARSE_CLASSES : FINE_CLASSES,
    height: SIZE,
    width: SIZE,
    channels: 3,
  };
}

export async function loadCifar100(options: DatasetOptions): Promise<Dataset> {
  const { dir, trainFile, testFile, trainLimit, testLimit, coarseLabels } = await splitFiles(options);
  // Both files are checked before either is read whole.
  await countRecords(trainFile);
  await countRecords(testFile);
  return {
    id: 'cifar100',
    name: nameOf(coarseLabels),
    height: SIZE,
    width: SIZE,
    channels: 3,
    classNames: await readClassNames(dir, coarseLabels),
    train: await readSplit(trainFile, trainLimit, coarseLabels),
    test: await readSplit(testFile, testLimit, coarseLabels),
    // The usual CIFAR-100 training-set statistics, kept fixed so a subset normalises like the full set.
    mean: [0.5071, 0.4865, 0.4409],
    std: [0.2673, 0.2564, 0.2762],
  };
}

export const cifar100Source: DatasetSource = {
  id: 'cifar100',
  name: 'CIFAR-100',
  needsDataDir: true,
  nativeSize: SIZE,
  description:
    '60,000 32×32 colour images in 100 classes (or their 20 super-classes with coarse labels): 50,000 training ' +
    `and 10,000 test images, from the binary version at https://www.cs.toronto.edu/~kriz/cifar.html (the ${FOLDER} ` +
    'folder: train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt).',
  load: loadCifar100,
  inspect: inspectCifar100,
};
