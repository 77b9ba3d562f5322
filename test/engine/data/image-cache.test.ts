import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  openCachedSplit,
  readImageCacheHeader,
  writeImageCache,
} from '../../../src-main/engine/data/image-cache';
import { splitBytes } from '../../../src-main/engine/data/splits';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-cache-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const shape = { height: 4, width: 4, channels: 3 };
const PER = 48;
/** Image i of a split: every byte is (i · 3 + salt) mod 256. */
const pixel = (i: number, salt: number) => (i * 3 + salt) % 256;

function split(name: string, count: number, salt: number, labelled: boolean) {
  return {
    name,
    count,
    labels: labelled ? Int32Array.from({ length: count }, (_, i) => i % 7) : null,
    fill: (first: number, n: number, out: Uint8Array) => {
      for (let k = 0; k < n; k++) out.fill(pixel(first + k, salt), k * PER, (k + 1) * PER);
    },
  };
}

describe('the dataset cache file', () => {
  it('holds splits of any size (more than one chunk) with their labels, read back image for image', async () => {
    const file = path.join(dir, 'a.images');
    const progress: number[] = [];
    await writeImageCache(
      file,
      {
        key: 'k1',
        source: { id: 'imagefolder', dataDir: '/x' },
        ...shape,
        classNames: ['a', 'b'],
        meta: { n: 1 },
      },
      [split('train', 600, 1, true), split('test', 3, 50, false)],
      (done) => progress.push(done),
    );
    expect(progress.at(-1)).toBe(603);
    const header = readImageCacheHeader(file)!;
    expect(header).toMatchObject({ key: 'k1', source: { id: 'imagefolder', dataDir: '/x' }, meta: { n: 1 } });
    expect(header.splits.map((s) => [s.name, s.count, s.labelled])).toEqual([
      ['train', 600, true],
      ['test', 3, false],
    ]);
    // Pixel data starts on page boundaries.
    expect(header.splits.every((s) => s.pixelsAt % 4096 === 0)).toBe(true);
    const train = openCachedSplit(file, header, 'train');
    expect(train.count).toBe(600);
    expect(Array.from(train.labels!.subarray(0, 9))).toEqual([0, 1, 2, 3, 4, 5, 6, 0, 1]);
    const bytes = splitBytes(train);
    for (const i of [0, 255, 256, 599]) expect(bytes[i * PER + 17]).toBe(pixel(i, 1));
    const test = openCachedSplit(file, header, 'test');
    expect(test.labels).toBeNull();
    expect(Array.from(test.pixels.read([2]))).toEqual(new Array(PER).fill(pixel(2, 50)));
    expect(openCachedSplit(file, header, 'train', 10).count).toBe(10);
    expect(() => openCachedSplit(file, header, 'val')).toThrow(/has no "val" split/);
  });

  it('is not taken for a cache when cut off: a build that fails leaves no file, a truncated one reads as none', async () => {
    const file = path.join(dir, 'b.images');
    const failing = {
      ...split('train', 700, 0, true),
      fill: (first: number) => {
        if (first >= 512) throw new Error('disk on fire');
      },
    };
    await expect(
      writeImageCache(file, { key: 'k', source: { id: 'stl10' }, ...shape, classNames: [] }, [failing]),
    ).rejects.toThrow('disk on fire');
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);

    await writeImageCache(file, { key: 'k', source: { id: 'stl10' }, ...shape, classNames: [] }, [
      split('train', 700, 0, true),
    ]);
    expect(readImageCacheHeader(file)).not.toBeNull();
    fs.truncateSync(file, fs.statSync(file).size - 5000);
    expect(readImageCacheHeader(file)).toBeNull();
    fs.writeFileSync(file, 'not a cache at all');
    expect(readImageCacheHeader(file)).toBeNull();
    expect(readImageCacheHeader(path.join(dir, 'missing.images'))).toBeNull();
  });
});
