import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DatasetError,
  type DatasetJob,
  type DatasetSpec,
  type ImageTile,
} from '../../../src-main/domain';
import { loadDataset } from '../../../src-main/engine/data';
import { readImageCacheHeader } from '../../../src-main/engine/data/image-cache';
import { DatasetService, datasetKey } from '../../../src-main/engine/services/datasets';
import { Store } from '../../../src-main/engine/store/store';
import { cifarDir, tempDir } from '../../helpers/cli';

const fashionDir = '/usr/share/datasets/fashion-mnist';

let dir: string;
let store: Store;
let cacheDir: string;
let service: DatasetService;

beforeAll(() => {
  dir = tempDir('contrastlab-datasets-');
  store = new Store(path.join(dir, 'lab.db'));
  cacheDir = path.join(dir, 'dataset-cache');
  service = new DatasetService(store, cacheDir);
});

afterAll(async () => {
  await service.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Polls the service's jobs until this one has ended. */
async function jobEnd(id: number): Promise<DatasetJob> {
  for (;;) {
    const job = service.listJobs().find((j) => j.id === id);
    if (!job) throw new Error(`no dataset job ${id}`);
    if (job.status === 'completed' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A tile's RGB bytes (its RGBA without alpha), to compare with a dataset's images. */
function tilePixelsOf(tile: ImageTile): Buffer {
  const rgba = Buffer.from(tile.rgba, 'base64');
  const rgb = Buffer.alloc((rgba.length / 4) * 3);
  for (let p = 0; p < rgba.length / 4; p++) rgba.copy(rgb, p * 3, p * 4, p * 4 + 3);
  return rgb;
}

/** A solid-colour PNG with a stripe whose position encodes `n`, so every file is a different image. */
function png(width: number, height: number, colour: [number, number, number], n: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const on = x === n % width;
    pixels.set(on ? [255 - colour[0], 255 - colour[1], 255 - colour[2]] : colour, p * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** An image folder of two classes (cats 6 images, dogs 4) and one file that is no image. */
async function writeImageFolder(root: string): Promise<void> {
  const classes: [string, number, [number, number, number]][] = [
    ['cats', 6, [200, 40, 40]],
    ['dogs', 4, [40, 40, 200]],
  ];
  for (const [name, count, colour] of classes) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < count; i++) {
      fs.writeFileSync(path.join(root, name, `${name}-${i}.png`), await png(120, 90, colour, i * 7));
    }
  }
  fs.writeFileSync(path.join(root, 'dogs', 'broken.png'), 'not a PNG at all');
}

describe('the datasets of the Datasets view', () => {
  it('lists the built-in dataset, the added ones and those runs used; a folder gone is one error line', async () => {
    const gone = path.join(dir, 'gone-folder');
    await writeImageFolder(gone);
    const cifar = await service.add({ spec: { id: 'cifar10', dataDir: cifarDir, trainSize: 100 } });
    // The subset is the run's choice, not the dataset's.
    expect(cifar.spec).toEqual({ id: 'cifar10', dataDir: cifarDir });
    expect(cifar.name).toBe('CIFAR-10 (cifar-10-batches-bin)');
    store.createRun({
      name: 'a',
      method: 'simclr',
      dataset: { id: 'synthetic', trainSize: 64 },
      config: {},
    });
    store.createRun({ name: 'b', method: 'simclr', dataset: { id: 'synthetic' }, config: {} });
    const folderRun = store.createRun({
      name: 'c',
      method: 'simclr',
      dataset: { id: 'imagefolder', dataDir: gone, imageSize: 32 },
      config: {},
    });
    store.markEnded(folderRun.id, 'completed');
    fs.rmSync(gone, { recursive: true });

    const entries = await service.list();
    const byKey = new Map(entries.map((e) => [e.key, e]));
    expect(entries[0]!.key).toBe('synthetic');
    const synthetic = byKey.get('synthetic')!;
    expect(synthetic).toMatchObject({ builtIn: true, runCount: 2, activeRunCount: 2, entryId: null });
    expect(synthetic.summary?.trainCount).toBeGreaterThan(0);
    const added = byKey.get(datasetKey({ id: 'cifar10', dataDir: cifarDir }))!;
    expect(added).toMatchObject({ entryId: cifar.entryId, runCount: 0, error: null, builtIn: false });
    expect(added.summary).toMatchObject({ trainCount: 4660, testCount: 846, height: 32 });
    const broken = byKey.get(datasetKey({ id: 'imagefolder', dataDir: gone }))!;
    expect(broken).toMatchObject({ entryId: null, runCount: 1, activeRunCount: 0, summary: null });
    expect(broken.spec).toEqual({ id: 'imagefolder', dataDir: gone, imageSize: 32 });
    expect(broken.error).toContain(gone);
    expect(broken.error).not.toContain('\n');
  });

  it('adds a dataset once, writes nothing for one that does not read, and forgets one without touching its files', async () => {
    const missing = path.join(dir, 'no-such-folder');
    await expect(service.add({ spec: { id: 'imagefolder', dataDir: missing } })).rejects.toThrow(
      DatasetError,
    );
    await expect(service.add({ spec: { id: 'imagefolder', dataDir: missing } })).rejects.toThrow(missing);
    await expect(service.add({ spec: { id: 'cifar10' } })).rejects.toThrow('CIFAR-10 needs its folder');
    const before = store.datasets.list().length;

    const folder = path.join(dir, 'pets');
    await writeImageFolder(folder);
    const first = await service.add({ spec: { id: 'imagefolder', dataDir: folder }, name: 'Pets' });
    const again = await service.add({ spec: { id: 'imagefolder', dataDir: `${folder}/` }, name: 'My pets' });
    expect(again.entryId).toBe(first.entryId);
    expect(again.name).toBe('My pets');
    expect(store.datasets.list()).toHaveLength(before + 1);

    service.remove(first.entryId!);
    expect(store.datasets.list()).toHaveLength(before);
    expect(fs.readdirSync(path.join(folder, 'cats'))).toHaveLength(6);
    expect(() => service.remove(first.entryId!)).toThrow(ConfigError);
  });

  it('describes CIFAR-10 from its labels, with the same samples every time', async () => {
    const spec: DatasetSpec = { id: 'cifar10', dataDir: cifarDir };
    const loaded = await loadDataset(spec);
    const details = await service.describe(spec);
    expect(details.classNames).toEqual(loaded.classNames);
    expect([details.height, details.width, details.channels, details.nativeSize]).toEqual([32, 32, 3, 32]);
    for (const [name, split] of [
      ['train', loaded.train],
      ['test', loaded.test],
    ] as const) {
      const counts = new Array<number>(10).fill(0);
      for (const label of split.labels!) counts[label]!++;
      expect(details.splits.find((s) => s.name === name)).toEqual({
        name,
        count: split.count,
        labelled: true,
        classCounts: counts,
      });
    }
    expect(details.caches).toEqual([]);
    expect(details.job).toBeNull();

    const samples = await service.samples(spec, 3);
    const again = await service.samples(spec, 3);
    expect(again).toEqual(samples);
    expect(samples.split).toBe('train');
    expect(samples.classes.map((c) => c.name)).toEqual(loaded.classNames);
    for (const c of samples.classes) {
      expect(c.tiles).toHaveLength(3);
      expect(c.total).toBe(details.splits[0]!.classCounts![c.label!]);
      // Every thumbnail is an image of its class.
      for (const tile of c.tiles) {
        const rgb = tilePixelsOf(tile);
        const found = Array.from(loaded.train.labels!.keys()).find(
          (i) =>
            loaded.train.labels![i] === c.label && Buffer.from(loaded.train.pixels.read([i])).equals(rgb),
        );
        expect(found).toBeDefined();
      }
    }
  });

  it('builds, finds, rebuilds and deletes the cache of a resized dataset', async () => {
    const spec: DatasetSpec = {
      id: 'cifar10',
      dataDir: cifarDir,
      trainSize: 300,
      testSize: 100,
      imageSize: 40,
    };
    const job = await service.buildCache(spec);
    expect(job).toMatchObject({ kind: 'build-cache', key: datasetKey(spec) });
    // A second request while it builds is the same job.
    expect((await service.buildCache(spec)).id).toBe(job.id);
    const built = await jobEnd(job.id);
    expect(built.status).toBe('completed');
    expect(built.message).toMatch(/^built cifar10-40px-\w+\.images: 400 images at 40 px$/);

    const details = await service.describe(spec);
    expect(details.caches).toHaveLength(1);
    const cache = details.caches[0]!;
    expect(cache).toMatchObject({ imageSize: 40, channels: 3, images: 400, state: 'ready' });
    expect(cache.bytes).toBe(fs.statSync(cache.file).size);
    expect(readImageCacheHeader(cache.file)?.source.id).toBe('cifar10');
    // Read at the cached size, with the counts of the subset.
    expect([details.height, details.splits[0]!.count]).toEqual([40, 300]);

    const unchanged = await jobEnd((await service.buildCache(spec)).id);
    expect(unchanged.message).toBe('the cache was already up to date');
    const mtime = fs.statSync(cache.file).mtimeMs;
    const rebuilt = await jobEnd((await service.buildCache(spec, true)).id);
    expect(rebuilt.message).toMatch(/^built /);
    expect(fs.statSync(cache.file).mtimeMs).toBeGreaterThan(mtime);

    // Native size: nothing to cache.
    const native = await jobEnd((await service.buildCache({ id: 'cifar10', dataDir: cifarDir })).id);
    expect(native.message).toMatch(/^no cache needed/);

    const deleted = await service.deleteCache(spec);
    expect(deleted).toEqual({ files: 1, bytes: cache.bytes });
    expect(fs.existsSync(cache.file)).toBe(false);
    expect((await service.describe(spec)).caches).toEqual([]);
    expect(fs.existsSync(path.join(cifarDir, 'data_batch_1.bin'))).toBe(true);
  });

  it('shows an image folder: classes, balance, skipped files with reasons, small thumbnails, its cache', async () => {
    const folder = path.join(dir, 'animals');
    await writeImageFolder(folder);
    const spec: DatasetSpec = { id: 'imagefolder', dataDir: folder, imageSize: 96 };
    const details = await service.describe(spec);
    expect(details.classNames).toEqual(['cats', 'dogs']);
    expect([details.height, details.nativeSize]).toEqual([96, null]);
    // Each class's decodable images, over the training and the held-out test split.
    const perClass = [0, 1].map((c) => details.splits.reduce((n, s) => n + (s.classCounts?.[c] ?? 0), 0));
    expect(perClass).toEqual([6, 4]);
    expect(details.skipped).toHaveLength(1);
    expect(details.skipped[0]!.path).toBe('dogs/broken.png');
    expect(details.skipped[0]!.reason.length).toBeGreaterThan(0);
    expect(details.caches).toHaveLength(1);
    expect(details.caches[0]).toMatchObject({ imageSize: 96, images: 10, state: 'ready' });

    const samples = await service.samples(spec, 2);
    expect(samples.classes.map((c) => [c.name, c.tiles.length])).toEqual([
      ['cats', 2],
      ['dogs', 2],
    ]);
    // 96-pixel images come as 64-pixel thumbnails.
    expect(samples.classes[0]!.tiles[0]).toMatchObject({ width: 64, height: 64 });

    // A run that reads it keeps its cache.
    const run = store.createRun({ name: 'reads', method: 'simclr', dataset: spec, config: {} });
    expect((await service.describe(spec)).caches[0]!.state).toBe('in-use');
    await expect(service.deleteCache(spec)).rejects.toThrow(`in use by run #${run.id} (queued)`);
    store.markEnded(run.id, 'stopped');
    expect(await service.deleteCache(spec)).toMatchObject({ files: 1 });
    expect(fs.readdirSync(path.join(folder, 'dogs'))).toHaveLength(5);
  });

  it('says a dataset is being built while its cache is, and fails a build of images that do not decode in one line', async () => {
    const spec: DatasetSpec = { id: 'cifar10', dataDir: cifarDir, imageSize: 56 };
    const job = await service.buildCache(spec);
    const during = await service.describe(spec);
    expect(during.job?.id).toBe(job.id);
    expect(during.splits.every((s) => s.classCounts === null)).toBe(true);
    await expect(service.deleteCache(spec)).rejects.toThrow('is being built');
    expect((await jobEnd(job.id)).status).toBe('completed');
    expect((await service.describe(spec)).splits[0]!.classCounts).not.toBeNull();

    const junk = path.join(dir, 'junk');
    fs.mkdirSync(path.join(junk, 'a'), { recursive: true });
    fs.writeFileSync(path.join(junk, 'a', 'one.png'), 'no image');
    fs.writeFileSync(path.join(junk, 'a', 'two.png'), 'no image either');
    const failed = await jobEnd((await service.buildCache({ id: 'imagefolder', dataDir: junk })).id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(junk);
    expect(failed.error).not.toContain('\n');
    await expect(service.describe({ id: 'imagefolder', dataDir: junk })).rejects.toThrow(DatasetError);
  });

  it.skipIf(!fs.existsSync(fashionDir))('describes Fashion-MNIST from the real files', async () => {
    const spec: DatasetSpec = { id: 'fashion-mnist', dataDir: fashionDir, trainSize: 3000, testSize: 600 };
    const details = await service.describe(spec);
    expect(details.classNames).toHaveLength(10);
    expect([details.height, details.channels, details.nativeSize]).toEqual([28, 1, 28]);
    const train = details.splits.find((s) => s.name === 'train')!;
    expect(train.count).toBe(3000);
    expect(train.classCounts!.reduce((a, b) => a + b, 0)).toBe(3000);
    // Fashion-MNIST's classes are balanced: no class far from a tenth.
    for (const n of train.classCounts!) expect(Math.abs(n - 300)).toBeLessThan(90);
    const samples = await service.samples(spec, 2);
    expect(samples.classes[0]!.tiles[0]).toMatchObject({ width: 28, height: 28 });
  });
});
