import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src-main/domain';
import {
  checkIdxLength,
  expectIdxMagic,
  IDX_UBYTE_IMAGES,
  IDX_UBYTE_LABELS,
  readIdxHeader,
  readIdxItems,
} from '../../../src-main/engine/data/idx';

/** An IDX file as the format describes it: 0, 0, type, ndims, big-endian dims, then the data. */
function idx(type: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, data]);
}

/** `count` images of rows × cols whose pixel (i, y, x) is (i·50 + y·7 + x) mod 256. */
function images(count: number, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < cols; x++) out[(i * rows + y) * cols + x] = (i * 50 + y * 7 + x) % 256;
  return out;
}

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  const e = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  expect((e as Error).message).not.toContain('\n');
  return e as DatasetError;
}

describe('IDX reader', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'idx-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function file(name: string, bytes: Uint8Array): Promise<string> {
    const f = path.join(tmp, name);
    await writeFile(f, bytes);
    return f;
  }

  it('reads the header and items of a plain and a gzipped image file alike', async () => {
    const content = idx(0x08, [3, 4, 5], images(3, 4, 5));
    for (const [name, bytes, gzipped] of [
      ['plain-idx3-ubyte', content, false],
      ['gz-idx3-ubyte.gz', gzipSync(content), true],
    ] as const) {
      const h = await readIdxHeader(await file(name, bytes));
      expect(h.magic).toBe(IDX_UBYTE_IMAGES);
      expect(h.gzipped).toBe(gzipped);
      expect(h.type).toBe(0x08);
      expect(h.dims).toEqual([3, 4, 5]);
      expect(h.dataOffset).toBe(16);
      expect(h.itemBytes).toBe(20);
      await checkIdxLength(h);
      expectIdxMagic(h, IDX_UBYTE_IMAGES, 'image');
      const all = await readIdxItems(h, 3);
      expect(Array.from(all)).toEqual(Array.from(images(3, 4, 5)));
      // Image 1, row 2, column 3: 50 + 14 + 3.
      expect(all[20 + 2 * 5 + 3]).toBe(67);
      const first = await readIdxItems(h, 2);
      expect(first.length).toBe(40);
      expect(Array.from(first)).toEqual(Array.from(images(2, 4, 5)));
    }
  });

  it('reads a label vector (magic 0x00000801) and element sizes of other types', async () => {
    const labels = await readIdxHeader(await file('labels', idx(0x08, [4], Uint8Array.from([7, 0, 9, 3]))));
    expect(labels.magic).toBe(IDX_UBYTE_LABELS);
    expect(Array.from(await readIdxItems(labels, 4))).toEqual([7, 0, 9, 3]);
    // int32 elements (0x0C): 4 bytes each, so an item of [2, 3] is 12 bytes.
    const ints = await readIdxHeader(await file('ints', idx(0x0c, [2, 3], new Uint8Array(24))));
    expect(ints.magic).toBe(0x00000c02);
    expect(ints.itemBytes).toBe(12);
    await checkIdxLength(ints);
  });

  it('decompresses only as far as the items asked for', async () => {
    const content = idx(0x08, [400, 28, 28], images(400, 28, 28));
    const gz = gzipSync(content);
    // Cut the gzip stream in half: the first images decompress, the whole file does not.
    const h = await readIdxHeader(await file('cut.gz', gz.subarray(0, gz.length >> 1)));
    expect(h.dims).toEqual([400, 28, 28]);
    const two = await readIdxItems(h, 2);
    expect(Array.from(two)).toEqual(Array.from(images(2, 28, 28)));
    const e = await failure(readIdxItems(h, 400));
    expect(e.message).toMatch(/Cannot decompress IDX file after \d+ bytes/);
    expect(e.message).toContain(h.file);
    // Its gzip trailer is gone: the length check sees it without decompressing.
    const lengthError = await failure(checkIdxLength(h));
    expect(lengthError.message).toMatch(/truncated or damaged/);
    expect(lengthError.message).toContain('400×28×28');
  });

  it('names a file that does not start with two zero bytes', async () => {
    const bad = await file('bad-magic', Buffer.from([1, 2, 8, 3, 0, 0, 0, 1]));
    const e = await failure(readIdxHeader(bad));
    expect(e.message).toMatch(/Not an IDX file \(magic 0x01020803/);
    expect(e.message).toContain(bad);
  });

  it('names an unknown element type, a file without dimensions and a short header', async () => {
    expect(
      (await failure(readIdxHeader(await file('type', Buffer.from([0, 0, 7, 1, 0, 0, 0, 0]))))).message,
    ).toMatch(/unknown element type 0x7/);
    expect((await failure(readIdxHeader(await file('nodims', Buffer.from([0, 0, 8, 0]))))).message).toMatch(
      /declares no dimensions/,
    );
    expect(
      (await failure(readIdxHeader(await file('short', Buffer.from([0, 0, 8, 3, 0, 0]))))).message,
    ).toMatch(/ends inside its header \(3 dimensions/);
    expect((await failure(readIdxHeader(await file('tiny', Buffer.from([0, 0]))))).message).toMatch(
      /too short/,
    );
  });

  it('tells the wrong kind of file from its magic', async () => {
    const labels = await readIdxHeader(
      await file('labels-not-images', idx(0x08, [2], Uint8Array.from([1, 2]))),
    );
    const e = (() => {
      try {
        expectIdxMagic(labels, IDX_UBYTE_IMAGES, 'image');
        return null;
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(DatasetError);
    expect(e!.message).toBe(`Not an IDX image file (magic 0x00000801, expected 0x00000803): ${labels.file}`);
  });

  it('names a plain file that is truncated or longer than its header says', async () => {
    const content = idx(0x08, [3, 4, 5], images(3, 4, 5));
    const short = await readIdxHeader(await file('short-data', content.subarray(0, content.length - 7)));
    expect((await failure(checkIdxLength(short))).message).toMatch(
      /truncated \(69 bytes; its header \[3×4×5\] needs 76\)/,
    );
    const e = await failure(readIdxItems(short, 3));
    expect(e.message).toMatch(/holds 2 whole items of the 3/);
    expect(Array.from(await readIdxItems(short, 2))).toEqual(Array.from(images(2, 4, 5)));
    const long = await readIdxHeader(await file('long-data', Buffer.concat([content, Buffer.alloc(5)])));
    expect((await failure(checkIdxLength(long))).message).toMatch(/5 bytes beyond the data/);
  });

  it('names a gzip file that cannot be decompressed and a missing file', async () => {
    const damaged = Buffer.from(gzipSync(idx(0x08, [2], Uint8Array.from([1, 2]))));
    damaged.fill(0xff, 10, damaged.length - 8);
    const e = await failure(readIdxHeader(await file('damaged.gz', damaged)));
    expect(e.message).toMatch(/Cannot decompress IDX file after 0 bytes/);
    const missing = path.join(tmp, 'nope');
    expect((await failure(readIdxHeader(missing))).message).toBe(`Cannot read IDX file (ENOENT): ${missing}`);
  });
});
