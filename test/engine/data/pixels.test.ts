import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilePixels, MemoryPixels, openPixels } from '../../../src-main/engine/data/pixels';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixels-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 50 images of 6 bytes; image i holds bytes 6i … 6i + 5 (mod 256). */
const PER = 6;
const COUNT = 50;
const bytes = Uint8Array.from({ length: COUNT * PER }, (_, i) => i % 256);
const OFFSET = 100;
const file = path.join(dir, 'images.bin');
fs.writeFileSync(file, Buffer.concat([Buffer.alloc(OFFSET, 0xee), Buffer.from(bytes)]));

const expected = (indices: number[]) =>
  Array.from(indices.flatMap((i) => Array.from(bytes.subarray(i * PER, (i + 1) * PER))));

describe('pixels', () => {
  it('read the same images from memory and from a file, in the order asked, repeats included', () => {
    const memory = new MemoryPixels(bytes, COUNT);
    const onDisk = new FilePixels(file, OFFSET, COUNT, PER);
    for (const indices of [[0], [49, 3, 4, 5, 3], [7, 8, 9, 10, 11, 12], [12, 11, 10], []]) {
      expect(Array.from(memory.read(indices))).toEqual(expected(indices));
      expect(Array.from(onDisk.read(indices))).toEqual(expected(indices));
    }
    onDisk.close();
  });

  it('refuse an index outside the split', () => {
    const onDisk = new FilePixels(file, OFFSET, COUNT, PER);
    expect(() => onDisk.read([COUNT])).toThrow(/image index 50 outside 0…49/);
    expect(() => new MemoryPixels(bytes, COUNT).read([-1])).toThrow(/outside/);
    onDisk.close();
  });

  it('say a truncated file is truncated', () => {
    const short = path.join(dir, 'short.bin');
    fs.writeFileSync(short, Buffer.alloc(OFFSET + 10 * PER));
    const onDisk = new FilePixels(short, OFFSET, COUNT, PER);
    expect(() => onDisk.read([20])).toThrow(/truncated cache file/);
    onDisk.close();
  });

  it('travel to another thread as a copy or as the file to open', () => {
    const memory = new MemoryPixels(bytes, COUNT);
    const shared = memory.share();
    expect(shared.kind).toBe('memory');
    // A copy: transferring it leaves the original intact.
    if (shared.kind === 'memory') expect(shared.bytes.buffer).not.toBe(bytes.buffer);
    expect(Array.from(openPixels(shared).read([5, 6]))).toEqual(expected([5, 6]));
    const fromFile = openPixels(new FilePixels(file, OFFSET, COUNT, PER).share());
    expect(fromFile).toBeInstanceOf(FilePixels);
    expect(Array.from(fromFile.read([44, 2]))).toEqual(expected([44, 2]));
  });
});
