import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetSummary } from '../../domain';
import type { Dataset, DatasetOptions, DatasetSource, ImageSplit } from './dataset';
import { DatasetError } from '../../domain';
import { MemoryPixels } from './pixels';
import { checkSize } from './sizes';
import { isDirectory, isFile } from './paths';

/**
 * CIFAR-10 in its official binary form (https://www.cs.toronto.edu/~kriz/cifar.html): each record is one
 * label byte followed by 3072 bytes, the 32×32 red plane, then green, then blue, each row-major.
 */

const SIZE = 32;
const PLANE = SIZE * SIZE;
const IMAGE_BYTES = 3 * PLANE;
const RECORD_BYTES = 1 + IMAGE_BYTES;
const CLASSES = 10;
const FOLDER = 'cifar-10-batches-bin';

export const cifar10ClassNames = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** Accepts the batches folder itself or a folder that contains `cifar-10-batches-bin`. */
async function resolveFolder(dataDir: string | undefined): Promise<string> {
  if (!dataDir) throw new DatasetError('CIFAR-10 needs a data directory (the cifar-10-batches-bin folder)');
  const dir = path.resolve(dataDir);
  if (!(await isDirectory(dir))) throw new DatasetError(`CIFAR-10 directory not found: ${dir}`);
  const nested = path.join(dir, FOLDER);
  if (!(await isFile(path.join(dir, 'test_batch.bin'))) && (await isDirectory(nested))) return nested;
  return dir;
}

/** Parses one batch file into NHWC images and labels. */
function parseBatch(file: string, bytes: Uint8Array): { images: Uint8Array; labels: Int32Array } {
  if (bytes.length === 0) throw new DatasetError(`CIFAR-10 batch file is empty: ${file}`);
  if (bytes.length % RECORD_BYTES !== 0) {
    throw new DatasetError(
      `Not a CIFAR-10 binary batch (size ${bytes.length} bytes is not a multiple of ${RECORD_BYTES}): ${file}`,
    );
  }
  const count = bytes.length / RECORD_BYTES;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const rec = n * RECORD_BYTES;
    const label = bytes[rec]!;
    if (label >= CLASSES) {
      throw new DatasetError(`CIFAR-10 record ${n} has label ${label}, expected 0–9: ${file}`);
    }
    labels[n] = label;
    // Planar (CHW) to interleaved (HWC).
    const src = rec + 1;
    const dst = n * IMAGE_BYTES;
    for (let p = 0; p < PLANE; p++) {
      images[dst + 3 * p] = bytes[src + p]!;
      images[dst + 3 * p + 1] = bytes[src + PLANE + p]!;
      images[dst + 3 * p + 2] = bytes[src + 2 * PLANE + p]!;
    }
  }
  return { images, labels };
}

/** Reads and concatenates batch files, stopping once `limit` images are in hand. */
async function readSplit(files: string[], limit: number | undefined): Promise<ImageSplit> {
  const parts: { images: Uint8Array; labels: Int32Array }[] = [];
  let total = 0;
  for (const file of files) {
    if (limit !== undefined && total >= limit) break;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new DatasetError(
        `Cannot read CIFAR-10 batch file (${(e as NodeJS.ErrnoException).code}): ${file}`,
      );
    }
    const part = parseBatch(file, bytes);
    parts.push(part);
    total += part.labels.length;
  }
  const count = limit === undefined ? total : Math.min(total, limit);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  let at = 0;
  for (const part of parts) {
    const take = Math.min(part.labels.length, count - at);
    if (take <= 0) break;
    images.set(part.images.subarray(0, take * IMAGE_BYTES), at * IMAGE_BYTES);
    labels.set(part.labels.subarray(0, take), at);
    at += take;
  }
  return { pixels: new MemoryPixels(images, count), labels, count };
}

/** Class names from `batches.meta.txt` (one per line) when it lists exactly ten, else the standard ones. */
async function readClassNames(dir: string): Promise<string[]> {
  try {
    const text = await readFile(path.join(dir, 'batches.meta.txt'), 'utf8');
    const names = text
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (names.length === CLASSES) return names;
  } catch {
    // The meta file is optional.
  }
  return [...cifar10ClassNames];
}

/** The folder's batch files: data_batch_1.bin … data_batch_5.bin (those present) and test_batch.bin. */
async function batchFiles(
  dataDir: string | undefined,
): Promise<{ dir: string; trainFiles: string[]; testFile: string }> {
  const dir = await resolveFolder(dataDir);
  const trainFiles: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const f = path.join(dir, `data_batch_${i}.bin`);
    if (await isFile(f)) trainFiles.push(f);
  }
  if (trainFiles.length === 0) {
    throw new DatasetError(`No CIFAR-10 training batches (data_batch_1.bin … data_batch_5.bin) in ${dir}`);
  }
  const testFile = path.join(dir, 'test_batch.bin');
  if (!(await isFile(testFile))) throw new DatasetError(`CIFAR-10 test batch missing: ${testFile}`);
  return { dir, trainFiles, testFile };
}

/** The number of records of a batch file, from its size; checks that it can be read and its first label. */
async function countRecords(file: string): Promise<number> {
  let size: number;
  let first: number | undefined;
  try {
    const handle = await open(file, 'r');
    try {
      size = (await handle.stat()).size;
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(1), 0, 1, 0);
      first = bytesRead === 1 ? buffer[0] : undefined;
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw new DatasetError(`Cannot read CIFAR-10 batch file (${(e as NodeJS.ErrnoException).code}): ${file}`);
  }
  if (size === 0) throw new DatasetError(`CIFAR-10 batch file is empty: ${file}`);
  if (size % RECORD_BYTES !== 0) {
    throw new DatasetError(
      `Not a CIFAR-10 binary batch (size ${size} bytes is not a multiple of ${RECORD_BYTES}): ${file}`,
    );
  }
  if (first !== undefined && first >= CLASSES) {
    throw new DatasetError(`CIFAR-10 record 0 has label ${first}, expected 0–9: ${file}`);
  }
  return size / RECORD_BYTES;
}

export async function inspectCifar10(options: DatasetOptions): Promise<DatasetSummary> {
  const { trainFiles, testFile } = await batchFiles(options.dataDir);
  const trainLimit = checkSize(options.trainSize, 'trainSize');
  const testLimit = checkSize(options.testSize, 'testSize');
  let trainCount = 0;
  for (const f of trainFiles) trainCount += await countRecords(f);
  const testCount = await countRecords(testFile);
  return {
    id: 'cifar10',
    name: 'CIFAR-10',
    trainCount: Math.min(trainCount, trainLimit ?? Infinity),
    testCount: Math.min(testCount, testLimit ?? Infinity),
    labelled: true,
    evaluable: true,
    classes: CLASSES,
    height: SIZE,
    width: SIZE,
    channels: 3,
  };
}

export async function loadCifar10(options: DatasetOptions): Promise<Dataset> {
  const { dir, trainFiles, testFile } = await batchFiles(options.dataDir);
  const trainLimit = checkSize(options.trainSize, 'trainSize');
  const testLimit = checkSize(options.testSize, 'testSize');

  const train = await readSplit(trainFiles, trainLimit);
  const test = await readSplit([testFile], testLimit);
  return {
    id: 'cifar10',
    name: 'CIFAR-10',
    height: SIZE,
    width: SIZE,
    channels: 3,
    classNames: await readClassNames(dir),
    train,
    test,
    // The usual CIFAR-10 training-set statistics (as in the SimCLR and MoCo CIFAR code), kept fixed so a
    // subset normalises exactly like the full set.
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
  };
}

export const cifar10Source: DatasetSource = {
  id: 'cifar10',
  name: 'CIFAR-10',
  needsDataDir: true,
  nativeSize: SIZE,
  description:
    '60,000 32×32 colour images in 10 classes, from the official binary files (cifar-10-batches-bin).',
  load: loadCifar10,
  inspect: inspectCifar10,
};
