import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectDataset, listDatasets, loadDataset } from '../../../src-main/engine/data';
import { loadCifar10 } from '../../../src-main/engine/data/cifar10';
import { inspectImageFolder, loadImageFolder } from '../../../src-main/engine/data/imagefolder';
import { splitBytes } from '../../../src-main/engine/data/splits';

const CIFAR = '/work/shared/data/cifar10-subset/cifar-10-batches-bin';

let tmp: string;
/** PNG bytes of real CIFAR-10 training images, by class, and their raw pixels. */
let pngs: Map<number, Buffer[]>;
let pixels: Map<number, Uint8Array[]>;

async function put(root: string, rel: string, bytes: Buffer | string): Promise<void> {
  const file = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'imagefolder-layouts-'));
  const cifar = await loadCifar10({ dataDir: CIFAR, trainSize: 300 });
  const bytes = splitBytes(cifar.train);
  pngs = new Map();
  pixels = new Map();
  for (let i = 0; i < cifar.train.count; i++) {
    const label = cifar.train.labels![i]!;
    const image = bytes.subarray(i * 3072, (i + 1) * 3072);
    const png = await sharp(image, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toBuffer();
    pngs.set(label, [...(pngs.get(label) ?? []), png]);
    pixels.set(label, [...(pixels.get(label) ?? []), image]);
  }
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('image folder layouts', () => {
  it('train/ and val/ subfolders are the splits, with the class list of train/', async () => {
    const root = path.join(tmp, 'splits');
    // dog (5) and horse (7); the test folder lacks horse, which is allowed.
    for (let i = 0; i < 4; i++) await put(root, `train/dog/${i}.png`, pngs.get(5)![i]!);
    for (let i = 0; i < 3; i++) await put(root, `train/horse/${i}.png`, pngs.get(7)![i]!);
    for (let i = 4; i < 6; i++) await put(root, `val/dog/${i}.png`, pngs.get(5)![i]!);
    await put(root, 'train/stray.png', pngs.get(5)![6]!);
    const cacheDir = path.join(tmp, 'cache-splits');
    const d = await loadImageFolder({ dataDir: root, imageSize: 32, cacheDir, seed: 3 });
    expect(d.classNames).toEqual(['dog', 'horse']);
    expect([d.train.count, d.test.count]).toEqual([7, 2]);
    // The first images take the classes in turn.
    expect([...d.train.labels!]).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect([...d.test.labels!]).toEqual([0, 0]);
    expect(splitBytes(d.test)).toEqual(
      new Uint8Array(Buffer.concat([pixels.get(5)![4]!, pixels.get(5)![5]!])),
    );
    expect(d.notes).toEqual([
      `1 image file(s) directly in ${path.join(root, 'train')} are in no class folder and were left out`,
    ]);
    const summary = await inspectImageFolder({ dataDir: root });
    expect(summary).toMatchObject({
      trainCount: 7,
      testCount: 2,
      labelled: true,
      evaluable: true,
      height: 64,
    });
  });

  it('a flat folder is unlabelled: nothing held out, not evaluable', async () => {
    const root = path.join(tmp, 'flat');
    for (let i = 0; i < 5; i++) await put(root, `img-${i}.png`, pngs.get(1)![i]!);
    await put(root, 'notes.md', 'ignored');
    const d = await loadImageFolder({ dataDir: root, imageSize: 32, cacheDir: path.join(tmp, 'cache-flat') });
    expect(d.classNames).toEqual([]);
    expect([d.train.count, d.test.count]).toEqual([5, 0]);
    expect(d.train.labels).toBeNull();
    expect(d.test.labels).toBeNull();
    expect(splitBytes(d.train).subarray(0, 3072)).toEqual(pixels.get(1)![0]!);
    const summary = await inspectImageFolder({ dataDir: root });
    expect(summary).toMatchObject({ trainCount: 5, testCount: 0, labelled: false, evaluable: false });
    expect(summary.classes).toBeUndefined();
  });

  it('train/ alone is the folder to hold a test split out of', async () => {
    const root = path.join(tmp, 'train-only');
    for (let i = 0; i < 10; i++) await put(root, `train/truck/${i}.png`, pngs.get(9)![i]!);
    for (let i = 0; i < 10; i++) await put(root, `train/ship/${i}.png`, pngs.get(8)![i]!);
    const summary = await inspectImageFolder({ dataDir: root, testFraction: 0.2 });
    expect(summary).toMatchObject({
      trainCount: 16,
      testCount: 4,
      labelled: true,
      evaluable: true,
      classes: 2,
    });
    const d = await loadImageFolder({
      dataDir: root,
      imageSize: 32,
      cacheDir: path.join(tmp, 'cache-train-only'),
      testFraction: 0.2,
    });
    expect(d.classNames).toEqual(['ship', 'truck']);
    expect([...d.test.labels!].sort()).toEqual([0, 0, 1, 1]);
  });

  it('is registered: listed, inspected at 64 px by default, loaded at the size asked', async () => {
    const info = listDatasets().find((s) => s.id === 'imagefolder');
    expect(info).toMatchObject({ needsDataDir: true });
    expect(info!.description).toMatch(/default 64 px/);
    expect(info!.nativeSize).toBeUndefined();
    const root = path.join(tmp, 'flat');
    const summary = await inspectDataset({ id: 'imagefolder', dataDir: root });
    expect([summary.height, summary.width]).toEqual([64, 64]);
    const cacheDir = path.join(tmp, 'cache-registry');
    const d = await loadDataset({ id: 'imagefolder', dataDir: root, cacheDir, imageSize: 48 });
    expect([d.height, d.width, d.channels, d.train.count]).toEqual([48, 48, 3, 5]);
    const byDefault = await loadDataset({ id: 'imagefolder', dataDir: root, cacheDir });
    expect(byDefault.height).toBe(64);
    expect(splitBytes(byDefault.train).length).toBe(5 * 64 * 64 * 3);
  });
});
