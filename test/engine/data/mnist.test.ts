import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src-main/domain';
import { loadDataset } from '../../../src-main/engine/data';
import {
  fashionMnistClassNames,
  fashionMnistSource,
  mnistClassNames,
  mnistSource,
} from '../../../src-main/engine/data/mnist';
import { splitBytes } from '../../../src-main/engine/data/splits';
import type { DatasetOptions } from '../../../src-main/engine/data/dataset';

const REAL_FASHION = '/usr/share/datasets/fashion-mnist';
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** An IDX file (http://yann.lecun.com/exdb/mnist/): 0, 0, type 0x08, ndims, big-endian dims, data. */
function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, data]);
}

/** Pixel (y, x) of image `i` of split `seed`. */
const pixel = (seed: number, i: number, y: number, x: number) => (seed * 31 + i * 17 + y * 5 + x * 3) % 256;

function imagesIdx(seed: number, count: number, side = SIDE): Buffer {
  const data = new Uint8Array(count * side * side);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) data[(i * side + y) * side + x] = pixel(seed, i, y, x);
  return idx([count, side, side], data);
}

const labelsIdx = (labels: number[]) => idx([labels.length], Uint8Array.from(labels));

const TRAIN_LABELS = [5, 0, 4];
const TEST_LABELS = [7, 2];

/** The four files of a split pair, in their official names; `gz` gzips them as distributed. */
function officialFiles(gz: boolean): Record<string, Buffer> {
  const files = {
    'train-images-idx3-ubyte': imagesIdx(1, 3),
    'train-labels-idx1-ubyte': labelsIdx(TRAIN_LABELS),
    't10k-images-idx3-ubyte': imagesIdx(2, 2),
    't10k-labels-idx1-ubyte': labelsIdx(TEST_LABELS),
  };
  if (!gz) return files;
  return Object.fromEntries(Object.entries(files).map(([name, data]) => [`${name}.gz`, gzipSync(data)]));
}

async function failure(load: Promise<unknown>): Promise<DatasetError> {
  const e = await load.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  expect((e as Error).message).not.toContain('\n');
  return e as DatasetError;
}

describe('MNIST and Fashion-MNIST from hand-made IDX files', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mnist-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, Uint8Array>): Promise<string> {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    for (const [f, data] of Object.entries(files)) await writeFile(path.join(dir, f), data);
    return dir;
  }

  it('loads plain IDX files: 28×28×1 images as stored, labels, class names, statistics', async () => {
    const dir = await folder('plain', officialFiles(false));
    const d = await mnistSource.load({ dataDir: dir });
    expect(d.id).toBe('mnist');
    expect([d.height, d.width, d.channels]).toEqual([28, 28, 1]);
    expect([d.train.count, d.test.count]).toEqual([3, 2]);
    expect(Array.from(d.train.labels!)).toEqual(TRAIN_LABELS);
    expect(Array.from(d.test.labels!)).toEqual(TEST_LABELS);
    expect(d.classNames).toEqual(mnistClassNames);
    expect(d.mean).toEqual([0.1307, 0.1307, 0.1307]);
    expect(d.std).toEqual([0.3081, 0.3081, 0.3081]);
    const train = splitBytes(d.train);
    expect(train.length).toBe(3 * PIXELS);
    for (const [i, y, x] of [
      [0, 0, 0],
      [1, 3, 20],
      [2, 27, 27],
      [2, 20, 3],
    ] as const) {
      expect(train[i * PIXELS + y * SIDE + x]).toBe(pixel(1, i, y, x));
    }
    expect(splitBytes(d.test)[PIXELS + 5 * SIDE + 9]).toBe(pixel(2, 1, 5, 9));
  });

  it('loads gzipped files as Fashion-MNIST, with its class names and statistics, and honours limits', async () => {
    const dir = await folder('gz', officialFiles(true));
    const d = await fashionMnistSource.load({ dataDir: dir });
    expect(d.id).toBe('fashion-mnist');
    expect(d.name).toBe('Fashion-MNIST');
    expect(d.classNames).toEqual(fashionMnistClassNames);
    expect(d.classNames[9]).toBe('Ankle boot');
    expect(d.mean).toEqual([0.286, 0.286, 0.286]);
    expect(d.std).toEqual([0.353, 0.353, 0.353]);
    expect(Array.from(d.train.labels!)).toEqual(TRAIN_LABELS);
    expect(splitBytes(d.train)[2 * PIXELS + 11 * SIDE + 4]).toBe(pixel(1, 2, 11, 4));

    const small = await fashionMnistSource.load({ dataDir: dir, trainSize: 2, testSize: 1 });
    expect([small.train.count, small.test.count]).toEqual([2, 1]);
    expect(Array.from(small.train.labels!)).toEqual(TRAIN_LABELS.slice(0, 2));
    expect(splitBytes(small.train).length).toBe(2 * PIXELS);
    expect(Array.from(splitBytes(small.test))).toEqual(Array.from(splitBytes(d.test).subarray(0, PIXELS)));
    const big = await fashionMnistSource.load({ dataDir: dir, trainSize: 1000 });
    expect(big.train.count).toBe(3);
  });

  it('inspects from the headers: counts, limits, one channel', async () => {
    const dir = await folder('inspect', officialFiles(true));
    expect(await mnistSource.inspect({ dataDir: dir, testSize: 1 })).toEqual({
      id: 'mnist',
      name: 'MNIST',
      trainCount: 3,
      testCount: 1,
      labelled: true,
      evaluable: true,
      classes: 10,
      height: 28,
      width: 28,
      channels: 1,
    });
  });

  it("accepts torchvision's <root>/FashionMNIST/raw layout and loads through the registry at another size", async () => {
    const root = path.join(tmp, 'torchvision');
    await folder(path.join('torchvision', 'FashionMNIST', 'raw'), officialFiles(true));
    const options: DatasetOptions = { dataDir: root };
    expect((await fashionMnistSource.inspect(options)).trainCount).toBe(3);
    const d = await loadDataset({
      id: 'fashion-mnist',
      dataDir: root,
      imageSize: 32,
      cacheDir: path.join(tmp, 'cache'),
    });
    expect([d.height, d.width, d.channels]).toEqual([32, 32, 1]);
    expect(d.train.pixels.bytesPerImage).toBe(32 * 32);
    expect(Array.from(d.train.labels!)).toEqual(TRAIN_LABELS);
  });

  it('names a missing directory and a missing file', async () => {
    const missing = path.join(tmp, 'nope');
    expect((await failure(mnistSource.load({ dataDir: missing }))).message).toContain(missing);
    expect((await failure(mnistSource.load({}))).message).toMatch(/MNIST needs a data directory/);
    const files = officialFiles(true);
    delete files['t10k-labels-idx1-ubyte.gz'];
    const dir = await folder('nolabels', files);
    expect((await failure(mnistSource.inspect({ dataDir: dir }))).message).toBe(
      `MNIST test labels missing: ${path.join(dir, 't10k-labels-idx1-ubyte')}(.gz)`,
    );
  });

  it('names labels that do not match the images in number', async () => {
    const dir = await folder('count', {
      ...officialFiles(false),
      'train-labels-idx1-ubyte': labelsIdx([1, 2]),
    });
    const e = await failure(mnistSource.inspect({ dataDir: dir }));
    expect(e.message).toBe(
      `MNIST training labels and images differ in number (2 labels, 3 images): ${path.join(dir, 'train-labels-idx1-ubyte')}`,
    );
  });

  it('names images that are not 28×28', async () => {
    const dir = await folder('dims', {
      ...officialFiles(false),
      't10k-images-idx3-ubyte': imagesIdx(2, 2, 32),
    });
    const e = await failure(mnistSource.load({ dataDir: dir }));
    expect(e.message).toBe(
      `MNIST images must be 28×28, this file holds 32×32: ${path.join(dir, 't10k-images-idx3-ubyte')}`,
    );
  });

  it('names a bad magic number: labels where images belong', async () => {
    const dir = await folder('magic', {
      ...officialFiles(true),
      'train-images-idx3-ubyte.gz': gzipSync(labelsIdx([1])),
    });
    const e = await failure(fashionMnistSource.load({ dataDir: dir }));
    expect(e.message).toBe(
      `Not an IDX image file (magic 0x00000801, expected 0x00000803): ${path.join(dir, 'train-images-idx3-ubyte.gz')}`,
    );
  });

  it('names a truncated file, plain or gzipped, in inspect and load alike', async () => {
    const plain = officialFiles(false)['train-images-idx3-ubyte']!;
    const dir = await folder('truncated', {
      ...officialFiles(false),
      'train-images-idx3-ubyte': plain.subarray(0, plain.length - 100),
    });
    for (const run of [mnistSource.inspect, mnistSource.load]) {
      const e = await failure(run({ dataDir: dir }));
      expect(e.message).toMatch(/IDX file is truncated/);
      expect(e.message).toContain(path.join(dir, 'train-images-idx3-ubyte'));
    }
    const gz = gzipSync(plain);
    const gzDir = await folder('truncated-gz', {
      ...officialFiles(true),
      'train-images-idx3-ubyte.gz': gz.subarray(0, gz.length - 30),
    });
    for (const run of [mnistSource.inspect, mnistSource.load]) {
      const e = await failure(run({ dataDir: gzDir }));
      expect(e.message).toMatch(/Gzipped IDX file is truncated or damaged/);
      expect(e.message).toContain(path.join(gzDir, 'train-images-idx3-ubyte.gz'));
    }
  });

  it('names a label outside 0–9', async () => {
    const dir = await folder('label', {
      ...officialFiles(false),
      't10k-labels-idx1-ubyte': labelsIdx([3, 10]),
    });
    const e = await failure(mnistSource.load({ dataDir: dir }));
    expect(e.message).toBe(`MNIST label 1 is 10, expected 0–9: ${path.join(dir, 't10k-labels-idx1-ubyte')}`);
  });
});

describe.skipIf(!existsSync(REAL_FASHION))(`the real Fashion-MNIST (${REAL_FASHION})`, () => {
  it('loads 60,000 + 10,000 images with labels 0–9; the first training image is an ankle boot', async () => {
    const summary = await fashionMnistSource.inspect({ dataDir: REAL_FASHION });
    expect([summary.trainCount, summary.testCount, summary.channels]).toEqual([60000, 10000, 1]);
    const d = await fashionMnistSource.load({ dataDir: REAL_FASHION });
    expect([d.train.count, d.test.count]).toEqual([60000, 10000]);
    expect(d.train.pixels.bytesPerImage).toBe(PIXELS);
    for (const split of [d.train, d.test]) {
      expect(split.labels!.length).toBe(split.count);
      expect(split.labels!.every((l) => l >= 0 && l <= 9)).toBe(true);
      // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
      const perClass = new Array<number>(10).fill(0);
      for (const l of split.labels!) perClass[l]!++;
      expect(perClass).toEqual(new Array<number>(10).fill(split.count / 10));
    }
    // The dataset's README: the first training image is labelled 9, an ankle boot.
    expect(d.train.labels![0]).toBe(9);
    expect(d.classNames[d.train.labels![0]!]).toBe('Ankle boot');
    // The source's fixed statistics (0.2860, 0.3530) are those of the full training set's pixels.
    const bytes = splitBytes(d.train);
    let sum = 0;
    let sumSq = 0;
    for (const v of bytes) {
      sum += v / 255;
      sumSq += (v / 255) ** 2;
    }
    const mean = sum / bytes.length;
    expect(mean).toBeCloseTo(d.mean[0], 3);
    expect(Math.sqrt(sumSq / bytes.length - mean ** 2)).toBeCloseTo(d.std[0], 3);

    // Limits take the first images of the gzipped files.
    const small = await fashionMnistSource.load({ dataDir: REAL_FASHION, trainSize: 100, testSize: 10 });
    expect([small.train.count, small.test.count]).toEqual([100, 10]);
    expect(Array.from(small.train.labels!)).toEqual(Array.from(d.train.labels!.subarray(0, 100)));
    expect(Buffer.compare(splitBytes(small.train), bytes.subarray(0, 100 * PIXELS))).toBe(0);
  });
});
