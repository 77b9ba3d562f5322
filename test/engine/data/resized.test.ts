import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectDataset, loadDataset } from '../../../src-main/engine/data';
import { FilePixels } from '../../../src-main/engine/data/pixels';
import { splitBytes } from '../../../src-main/engine/data/splits';
import { cifarDir } from '../../helpers/cli';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resized-test-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

/** Mean of each image's pixels, as a fingerprint that survives resizing. */
function imageMeans(bytes: Uint8Array, count: number): number[] {
  const per = bytes.length / count;
  return Array.from({ length: count }, (_, i) => {
    let sum = 0;
    for (let p = i * per; p < (i + 1) * per; p++) sum += bytes[p]!;
    return sum / per;
  });
}

describe('a dataset at another image size', () => {
  const spec = { id: 'cifar10' as const, dataDir: cifarDir, trainSize: 120, testSize: 30, cacheDir };

  it('is the same images resized into the cache, labels and statistics kept, and read from the file', async () => {
    const native = await loadDataset(spec);
    const big = await loadDataset({ ...spec, imageSize: 64 });
    expect([big.height, big.width, big.channels]).toEqual([64, 64, 3]);
    expect(big.train.count).toBe(120);
    expect(big.test.count).toBe(30);
    expect(Array.from(big.train.labels!)).toEqual(Array.from(native.train.labels!));
    expect(big.mean).toEqual(native.mean);
    expect(big.train.pixels).toBeInstanceOf(FilePixels);
    expect(big.train.pixels.bytesPerImage).toBe(64 * 64 * 3);
    // Resizing keeps each image's brightness (Lanczos rings a little at edges).
    const before = imageMeans(splitBytes(native.test), 30);
    const after = imageMeans(splitBytes(big.test), 30);
    for (let i = 0; i < 30; i++) expect(Math.abs(after[i]! - before[i]!)).toBeLessThan(2);
    // A 2× upscale: each source pixel's 2×2 block stays close to it.
    const src = splitBytes(native.train).subarray(0, 32 * 32 * 3);
    const dst = splitBytes(big.train).subarray(0, 64 * 64 * 3);
    let err = 0;
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++)
        for (let c = 0; c < 3; c++)
          err += Math.abs(dst[(y * 64 + x) * 3 + c]! - src[((y >> 1) * 32 + (x >> 1)) * 3 + c]!);
    expect(err / (64 * 64 * 3)).toBeLessThan(12);
  });

  it('is built once: a second load reads the same cache file without writing it', async () => {
    await loadDataset({ ...spec, imageSize: 48 });
    const files = fs.readdirSync(cacheDir).filter((f) => f.includes('48px'));
    expect(files).toHaveLength(1);
    const file = path.join(cacheDir, files[0]!);
    const written = fs.statSync(file).mtimeMs;
    let progress = 0;
    const again = await loadDataset({ ...spec, imageSize: 48, onProgress: () => progress++ });
    expect(progress).toBe(0);
    expect(fs.statSync(file).mtimeMs).toBe(written);
    expect(again.height).toBe(48);
    // Another subset is another cache.
    await loadDataset({ ...spec, trainSize: 60, imageSize: 48 });
    expect(fs.readdirSync(cacheDir).filter((f) => f.includes('48px'))).toHaveLength(2);
  });

  it('is what inspect reports, and the size the native one keeps without a cache', async () => {
    expect(await inspectDataset({ ...spec, imageSize: 96 })).toMatchObject({ height: 96, width: 96 });
    const same = await loadDataset({ ...spec, imageSize: 32 });
    expect(same.train.pixels).not.toBeInstanceOf(FilePixels);
  });
});
