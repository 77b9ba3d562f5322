import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src-main/domain';
import { listDatasets } from '../../../src-main/engine/data';
import {
  cifar100CoarseClassNames,
  cifar100FineClassNames,
  cifar100Source,
} from '../../../src-main/engine/data/cifar100';
import { splitBytes } from '../../../src-main/engine/data/splits';

const RECORD = 3074;

/** Channel c's value at (y, x) of record `seed` (the planes are row-major: offset y·32 + x). */
const value = (seed: number, c: number, y: number, x: number) => (seed * 37 + c * 90 + y * 11 + x * 3) % 256;

/** One record in the binary layout: coarse label, fine label, red plane, green plane, blue plane. */
function record(coarse: number, fine: number, seed: number): Uint8Array {
  const r = new Uint8Array(RECORD);
  r[0] = coarse;
  r[1] = fine;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) r[2 + c * 1024 + y * 32 + x] = value(seed, c, y, x);
  return r;
}

const concat = (parts: Uint8Array[]) => Buffer.concat(parts);

// apple (fine 0) is in fruit_and_vegetables (coarse 4), whale (95) in aquatic_mammals (0), worm (99) in
// non-insect_invertebrates (13).
const TRAIN = [
  [4, 0],
  [0, 95],
  [13, 99],
] as const;
const TEST = [[0, 95]] as const;

const fineNames = Array.from({ length: 100 }, (_, i) => `fine${i}`);
const coarseNames = Array.from({ length: 20 }, (_, i) => `coarse${i}`);

function officialFiles(): Record<string, Uint8Array | string> {
  return {
    'train.bin': concat(TRAIN.map(([c, f], i) => record(c, f, i))),
    'test.bin': concat(TEST.map(([c, f], i) => record(c, f, 10 + i))),
    'fine_label_names.txt': `${fineNames.join('\n')}\n`,
    'coarse_label_names.txt': `${coarseNames.join('\n')}\n`,
  };
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

describe('CIFAR-100 binary version', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cifar100-test-'));
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

  it('loads fine labels, names from the files, NHWC pixels, from the parent folder', async () => {
    await folder(path.join('parent', 'cifar-100-binary'), officialFiles());
    const d = await cifar100Source.load({ dataDir: path.join(tmp, 'parent') });
    expect(d.id).toBe('cifar100');
    expect(d.name).toBe('CIFAR-100');
    expect([d.height, d.width, d.channels]).toEqual([32, 32, 3]);
    expect([d.train.count, d.test.count]).toEqual([3, 1]);
    expect(Array.from(d.train.labels!)).toEqual(TRAIN.map(([, f]) => f));
    expect(Array.from(d.test.labels!)).toEqual([95]);
    expect(d.classNames).toEqual(fineNames);
    expect(d.mean).toEqual([0.5071, 0.4865, 0.4409]);
    expect(d.std).toEqual([0.2673, 0.2564, 0.2762]);
    const train = splitBytes(d.train);
    expect(train.length).toBe(3 * 3072);
    for (const [n, y, x] of [
      [0, 0, 0],
      [1, 2, 5],
      [1, 5, 2],
      [2, 31, 30],
    ] as const) {
      for (let c = 0; c < 3; c++) expect(train[((n * 32 + y) * 32 + x) * 3 + c]).toBe(value(n, c, y, x));
    }
    expect(Array.from(splitBytes(d.test).subarray(0, 3))).toEqual([0, 1, 2].map((c) => value(10, c, 0, 0)));
  });

  it('gives the 20 coarse labels with coarseLabels', async () => {
    const dir = await folder('coarse', officialFiles());
    const d = await cifar100Source.load({ dataDir: dir, coarseLabels: true });
    expect(Array.from(d.train.labels!)).toEqual(TRAIN.map(([c]) => c));
    expect(Array.from(d.test.labels!)).toEqual([0]);
    expect(d.classNames).toEqual(coarseNames);
    expect(d.name).toBe('CIFAR-100 (20 coarse classes)');
    // The pixels do not depend on the labels chosen.
    const fine = await cifar100Source.load({ dataDir: dir });
    expect(Buffer.compare(splitBytes(d.train), splitBytes(fine.train))).toBe(0);
  });

  it('falls back to the standard class names without the names files', async () => {
    const { ['fine_label_names.txt']: _f, ['coarse_label_names.txt']: _c, ...rest } = officialFiles();
    const dir = await folder('nonames', rest);
    const fine = await cifar100Source.load({ dataDir: dir });
    expect(fine.classNames).toEqual(cifar100FineClassNames);
    // The labels of the hand-made records name the classes they were chosen for.
    expect(Array.from(fine.train.labels!, (l) => fine.classNames[l])).toEqual(['apple', 'whale', 'worm']);
    const coarse = await cifar100Source.load({ dataDir: dir, coarseLabels: true });
    expect(coarse.classNames).toEqual(cifar100CoarseClassNames);
    expect(Array.from(coarse.train.labels!, (l) => coarse.classNames[l])).toEqual([
      'fruit_and_vegetables',
      'aquatic_mammals',
      'non-insect_invertebrates',
    ]);
  });

  it('honours trainSize and testSize and inspects from file sizes', async () => {
    const dir = await folder('limits', officialFiles());
    const d = await cifar100Source.load({ dataDir: dir, trainSize: 2, testSize: 5 });
    expect([d.train.count, d.test.count]).toEqual([2, 1]);
    expect(Array.from(d.train.labels!)).toEqual([0, 95]);
    expect(splitBytes(d.train).length).toBe(2 * 3072);
    expect(await cifar100Source.inspect({ dataDir: dir, trainSize: 2 })).toEqual({
      id: 'cifar100',
      name: 'CIFAR-100',
      trainCount: 2,
      testCount: 1,
      labelled: true,
      evaluable: true,
      classes: 100,
      height: 32,
      width: 32,
      channels: 3,
    });
    expect(listDatasets().find((s) => s.id === 'cifar100')).toMatchObject({
      needsDataDir: true,
      nativeSize: 32,
    });
  });

  it('names a missing directory and a missing file', async () => {
    const missing = path.join(tmp, 'nope');
    expect((await failure(cifar100Source.load({ dataDir: missing }))).message).toBe(
      `CIFAR-100 directory not found: ${missing}`,
    );
    const { ['test.bin']: _t, ...rest } = officialFiles();
    const dir = await folder('notest', rest);
    expect((await failure(cifar100Source.inspect({ dataDir: dir }))).message).toBe(
      `CIFAR-100 file missing: ${path.join(dir, 'test.bin')}`,
    );
  });

  it('names a file whose size is not a multiple of 3074 (a CIFAR-10 batch, say)', async () => {
    const dir = await folder('size', { ...officialFiles(), 'train.bin': new Uint8Array(3073 * 2) });
    for (const run of [cifar100Source.inspect, cifar100Source.load]) {
      expect((await failure(run({ dataDir: dir }))).message).toBe(
        `Not a CIFAR-100 binary file (size 6146 bytes is not a multiple of 3074): ${path.join(dir, 'train.bin')}`,
      );
    }
  });

  it('names labels out of range', async () => {
    const fineDir = await folder('fine', {
      ...officialFiles(),
      'test.bin': concat([record(1, 1, 0), record(2, 100, 1)]),
    });
    expect((await failure(cifar100Source.load({ dataDir: fineDir }))).message).toBe(
      `CIFAR-100 record 1 has fine label 100, expected 0–99: ${path.join(fineDir, 'test.bin')}`,
    );
    const coarseDir = await folder('coarse-bad', { ...officialFiles(), 'train.bin': record(20, 1, 0) });
    expect((await failure(cifar100Source.inspect({ dataDir: coarseDir }))).message).toBe(
      `CIFAR-100 record 0 has coarse label 20, expected 0–19: ${path.join(coarseDir, 'train.bin')}`,
    );
  });
});
