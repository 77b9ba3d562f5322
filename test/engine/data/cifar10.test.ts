import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10ClassNames, loadCifar10 } from '../../../src-main/engine/data/cifar10';
import { DatasetError } from '../../../src-main/domain';
import { splitBytes } from '../../../src-main/engine/data/splits';

const REAL = '/work/shared/data/cifar10-subset/cifar-10-batches-bin';
const RECORD = 3073;

/** A record whose label is `label` and whose planes hold a recognisable pattern. */
function record(label: number, seed: number): Uint8Array {
  const r = new Uint8Array(RECORD);
  r[0] = label;
  for (let i = 0; i < 3072; i++) r[1 + i] = (i * 7 + seed * 13) % 256;
  return r;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('CIFAR-10 loader on the real subset', () => {
  it('loads counts, labels and class names', async () => {
    const d = await loadCifar10({ dataDir: REAL });
    expect(d.id).toBe('cifar10');
    expect([d.height, d.width, d.channels]).toEqual([32, 32, 3]);
    expect(d.train.count).toBe(4660);
    expect(d.test.count).toBe(846);
    expect(splitBytes(d.train).length).toBe(4660 * 3072);
    expect(d.classNames).toEqual(cifar10ClassNames);
    for (const split of [d.train, d.test]) {
      expect(split.labels!.length).toBe(split.count);
      expect(split.labels!.every((l) => l >= 0 && l <= 9)).toBe(true);
      expect(new Set(split.labels!).size).toBe(10);
    }
    expect(d.mean).toEqual([0.4914, 0.4822, 0.4465]);
    expect(d.std).toEqual([0.247, 0.2435, 0.2616]);
  });

  it('converts planar records to NHWC (pixel round trip against the raw bytes)', async () => {
    const d = await loadCifar10({ dataDir: REAL });
    const raw = await readFile(path.join(REAL, 'data_batch_1.bin'));
    const trainBytes = splitBytes(d.train);
    for (const [n, y, x] of [
      [0, 0, 0],
      [1, 5, 17],
      [4659, 31, 31],
      [2000, 12, 3],
    ] as const) {
      const rec = n * RECORD;
      expect(d.train.labels![n]).toBe(raw[rec]);
      for (let c = 0; c < 3; c++) {
        expect(trainBytes[((n * 32 + y) * 32 + x) * 3 + c]).toBe(raw[rec + 1 + c * 1024 + y * 32 + x]);
      }
    }
  });

  it('accepts the parent folder and honours size limits', async () => {
    const d = await loadCifar10({ dataDir: path.dirname(REAL), trainSize: 100, testSize: 10 });
    expect(d.train.count).toBe(100);
    expect(d.test.count).toBe(10);
    expect(splitBytes(d.train).length).toBe(100 * 3072);
    const big = await loadCifar10({ dataDir: REAL, trainSize: 1_000_000 });
    expect(big.train.count).toBe(4660);
  });
});

describe('CIFAR-10 loader errors', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cifar-test-'));
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

  async function failure(dataDir: string | undefined): Promise<DatasetError> {
    const e = await loadCifar10({ dataDir }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as Error).message).not.toContain('\n');
    return e as DatasetError;
  }

  it('reads a hand-made batch, with several training files in order', async () => {
    const dir = await folder('ok', {
      'data_batch_1.bin': concat([record(3, 1), record(9, 2)]),
      'data_batch_3.bin': record(0, 3),
      'test_batch.bin': record(5, 4),
      'batches.meta.txt': 'a\nb\n',
    });
    const d = await loadCifar10({ dataDir: dir });
    expect(d.train.count).toBe(3);
    expect(Array.from(d.train.labels!)).toEqual([3, 9, 0]);
    expect(Array.from(d.test.labels!)).toEqual([5]);
    // Pixel (y=2, x=5) of the second record: plane offset 2*32+5 = 69.
    const expected = [0, 1, 2].map((c) => ((c * 1024 + 69) * 7 + 2 * 13) % 256);
    expect(Array.from(splitBytes(d.train).subarray(3072 + 69 * 3, 3072 + 69 * 3 + 3))).toEqual(expected);
    // A meta file without ten names falls back to the standard ones.
    expect(d.classNames).toEqual(cifar10ClassNames);
  });

  it('names a missing directory', async () => {
    const missing = path.join(tmp, 'nope');
    expect((await failure(missing)).message).toContain(missing);
    expect((await failure(undefined)).message).toMatch(/needs a data directory/);
  });

  it('names a folder without training batches', async () => {
    const dir = await folder('empty', { 'test_batch.bin': record(1, 1) });
    const e = await failure(dir);
    expect(e.message).toMatch(/No CIFAR-10 training batches/);
    expect(e.message).toContain(dir);
  });

  it('names a missing test batch', async () => {
    const dir = await folder('notest', { 'data_batch_1.bin': record(1, 1) });
    expect((await failure(dir)).message).toContain(path.join(dir, 'test_batch.bin'));
  });

  it('names a file whose size is not a multiple of 3073', async () => {
    const dir = await folder('truncated', {
      'data_batch_1.bin': concat([record(1, 1), new Uint8Array(100)]),
      'test_batch.bin': record(1, 1),
    });
    const e = await failure(dir);
    expect(e.message).toMatch(/not a multiple of 3073/);
    expect(e.message).toContain(path.join(dir, 'data_batch_1.bin'));
  });

  it('names an empty file', async () => {
    const dir = await folder('emptyfile', {
      'data_batch_1.bin': new Uint8Array(0),
      'test_batch.bin': record(1, 1),
    });
    expect((await failure(dir)).message).toMatch(/empty/);
  });

  it('names a record with a label above 9', async () => {
    const dir = await folder('badlabel', {
      'data_batch_1.bin': record(1, 1),
      'test_batch.bin': concat([record(2, 1), record(10, 2)]),
    });
    const e = await failure(dir);
    expect(e.message).toMatch(/record 1 has label 10/);
    expect(e.message).toContain(path.join(dir, 'test_batch.bin'));
  });
});
