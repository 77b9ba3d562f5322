import { cp, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, ImageSplit } from '../../../src-main/engine/data/dataset';
import { readImageCacheHeader } from '../../../src-main/engine/data/image-cache';
import { inspectImageFolder, loadImageFolder } from '../../../src-main/engine/data/imagefolder';
import type { ImageFolderCacheMeta } from '../../../src-main/engine/data/imagefolder-cache';
import { loadCifar10 } from '../../../src-main/engine/data/cifar10';
import { splitBytes } from '../../../src-main/engine/data/splits';

const CIFAR = '/work/shared/data/cifar10-subset/cifar-10-batches-bin';
const SIDE = 32;
const PER = SIDE * SIDE * 3;

/** Real CIFAR-10 images as raw 32×32 RGB, by class. */
let byClass: Map<number, Buffer[]>;
let tmp: string;

function raw(image: Buffer, channels = 3): sharp.Sharp {
  return sharp(image, { raw: { width: SIDE, height: SIDE, channels: channels as 3 } });
}

function meanAbsoluteError(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
  return total / a.length;
}

/** A minimal uncompressed 24-bit BMP (BITMAPINFOHEADER, bottom-up rows padded to 4 bytes). */
function bmp(image: Buffer): Buffer {
  const row = Math.ceil((SIDE * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * SIDE);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(SIDE, 18);
  out.writeInt32LE(SIDE, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const src = (y * SIDE + x) * 3;
      const dst = 54 + (SIDE - 1 - y) * row + x * 3;
      out[dst] = image[src + 2]!;
      out[dst + 1] = image[src + 1]!;
      out[dst + 2] = image[src]!;
    }
  }
  return out;
}

/** What the fixture holds: every image-named file, and whether it should decode. */
interface Written {
  rel: string;
  className: string;
  decodes: boolean;
}

async function put(root: string, rel: string, bytes: Buffer | string): Promise<void> {
  const file = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** The image `rel` in a loaded dataset, found through the cache header's file list. */
function imageOf(
  dataset: Dataset,
  meta: ImageFolderCacheMeta,
  rel: string,
): { split: string; image: Uint8Array; label: number | null } {
  for (const [name, split] of [
    ['train', dataset.train],
    ['test', dataset.test],
  ] as [string, ImageSplit][]) {
    const index = meta.files[name]!.findIndex(([p]) => p === rel);
    if (index >= 0)
      return { split: name, image: split.pixels.read([index]), label: split.labels?.[index] ?? null };
  }
  throw new Error(`${rel} is in neither split`);
}

function metaOf(cacheDir: string, file: string): ImageFolderCacheMeta {
  return readImageCacheHeader(path.join(cacheDir, file))!.meta as ImageFolderCacheMeta;
}

async function cacheFiles(cacheDir: string): Promise<string[]> {
  try {
    return (await readdir(cacheDir)).sort();
  } catch {
    return [];
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'imagefolder-test-'));
  const cifar = await loadCifar10({ dataDir: CIFAR, trainSize: 400 });
  const bytes = splitBytes(cifar.train);
  byClass = new Map();
  for (let i = 0; i < cifar.train.count; i++) {
    const label = cifar.train.labels![i]!;
    const list = byClass.get(label) ?? [];
    list.push(Buffer.from(bytes.subarray(i * PER, (i + 1) * PER)));
    byClass.set(label, list);
  }
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('an image folder of real files in every supported format', () => {
  let root: string;
  let written: Written[];
  /** The images whose pixels are checked, by relative path. */
  let sources: Record<string, Buffer>;

  beforeAll(async () => {
    root = path.join(tmp, 'animals');
    written = [];
    sources = {};
    const airplane = byClass.get(0)!;
    const cat = byClass.get(3)!;
    const ship = byClass.get(8)!;
    const image = async (rel: string, className: string, bytes: Buffer | Promise<Buffer>, decodes = true) => {
      await put(root, rel, await bytes);
      written.push({ rel, className, decodes });
    };
    // airplane: flat class folder, mixed formats and sizes.
    for (let k = 0; k < 4; k++)
      await image(`airplane/plain-${k}.png`, 'airplane', raw(airplane[k]!).png().toBuffer());
    sources['airplane/up64.png'] = airplane[4]!;
    await image(
      'airplane/up64.png',
      'airplane',
      raw(airplane[4]!).resize(64, 64, { kernel: 'nearest' }).png().toBuffer(),
    );
    await image(
      'airplane/tall.jpg',
      'airplane',
      raw(airplane[5]!).resize(40, 48, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer(),
    );
    await image(
      'airplane/wide.webp',
      'airplane',
      raw(airplane[6]!).resize(64, 48, { fit: 'fill' }).webp({ quality: 95 }).toBuffer(),
    );
    sources['airplane/GREY.PNG'] = await raw(airplane[7]!).toColourspace('b-w').raw().toBuffer();
    await image('airplane/GREY.PNG', 'airplane', raw(airplane[7]!).toColourspace('b-w').png().toBuffer());
    const jpeg = await raw(airplane[8]!).jpeg().toBuffer();
    await image('airplane/truncated.jpg', 'airplane', jpeg.subarray(0, jpeg.length >> 1), false);
    await put(root, 'airplane/notes.txt', 'not an image, and not named like one');

    // cat: nested folders below the class folder, alpha, palette and EXIF orientation.
    for (let k = 0; k < 3; k++)
      await image(`cat/indoor/c-${k}.jpg`, 'cat', raw(cat[k]!).jpeg({ quality: 95 }).toBuffer());
    for (let k = 3; k < 5; k++)
      await image(
        `cat/outdoor/deep/c-${k}.webp`,
        'cat',
        raw(cat[k]!).resize(64, 64).webp({ lossless: true }).toBuffer(),
      );
    const rgba = Buffer.alloc(SIDE * SIDE * 4);
    for (let p = 0; p < SIDE * SIDE; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = cat[5]![p * 3 + c]!;
      rgba[p * 4 + 3] = (p % SIDE) * 8; // transparent on the left, nearly opaque on the right
    }
    sources['cat/rgba.png'] = rgba;
    await image('cat/rgba.png', 'cat', raw(rgba, 4).png().toBuffer());
    sources['cat/palette.png'] = cat[6]!;
    await image(
      'cat/palette.png',
      'cat',
      raw(cat[6]!).png({ palette: true, colours: 256, dither: 0 }).toBuffer(),
    );
    // Stored turned a quarter turn anticlockwise, with EXIF orientation 6 (turn clockwise to display).
    sources['cat/exif.jpg'] = cat[7]!;
    await image(
      'cat/exif.jpg',
      'cat',
      raw(cat[7]!).rotate(270).jpeg({ quality: 98 }).withMetadata({ orientation: 6 }).toBuffer(),
    );
    await image('cat/empty.png', 'cat', Buffer.alloc(0), false);
    await put(root, 'cat/.hidden/secret.png', await raw(cat[8]!).png().toBuffer());

    // ship: GIF, TIFF, a 24-bit BMP and a text file named .jpg.
    for (let k = 0; k < 3; k++) await image(`ship/s-${k}.png`, 'ship', raw(ship[k]!).png().toBuffer());
    await image('ship/s-3.gif', 'ship', raw(ship[3]!).gif().toBuffer());
    sources['ship/s-4.tiff'] = ship[4]!;
    await image('ship/s-4.tiff', 'ship', raw(ship[4]!).tiff({ compression: 'lzw' }).toBuffer());
    await image('ship/s-5.jpeg', 'ship', raw(ship[5]!).resize(48, 40, { fit: 'fill' }).jpeg().toBuffer());
    await image('ship/text.jpg', 'ship', Buffer.from('this is a text file with an image name\n'), false);
    sources['ship/s-6.bmp'] = ship[6]!;
    await image('ship/s-6.bmp', 'ship', bmp(ship[6]!));

    // Ignored: a README, hidden files and folders.
    await put(root, 'README.txt', 'three classes of CIFAR-10 images');
    await put(root, '.DS_Store', 'hidden');
    await put(root, '.hidden/a.png', await raw(ship[7]!).png().toBuffer());
    await mkdir(path.join(root, '.hidden', 'also-hidden-class'), { recursive: true });
  });

  it('counts images per class, skips the broken files by name and ignores everything else', async () => {
    const cacheDir = path.join(tmp, 'cache-counts');
    const decoded: string[] = [];
    const progress: [number, number][] = [];
    const d = await loadImageFolder(
      {
        dataDir: root,
        imageSize: SIDE,
        cacheDir,
        testFraction: 0.25,
        onProgress: (done, total) => progress.push([done, total]),
      },
      { onDecode: (p) => decoded.push(p) },
    );
    expect(d.id).toBe('imagefolder');
    expect([d.height, d.width, d.channels]).toEqual([SIDE, SIDE, 3]);
    expect(d.classNames).toEqual(['airplane', 'cat', 'ship']);
    // Every image-named file was tried once; hidden and non-image files never.
    expect(decoded.sort()).toEqual(written.map((w) => w.rel).sort());
    expect(progress.at(-1)).toEqual([written.length, written.length]);

    const [file] = await cacheFiles(cacheDir);
    const meta = metaOf(cacheDir, file!);
    const good = written.filter((w) => w.decodes);
    expect(d.train.count + d.test.count).toBe(good.length);
    expect(meta.files.train!.length).toBe(d.train.count);
    // Each image's label is its class folder's index.
    for (const w of good) expect(imageOf(d, meta, w.rel).label).toBe(d.classNames.indexOf(w.className));
    for (const name of d.classNames) {
      const inClass = (labels: Int32Array) => labels.filter((l) => d.classNames[l] === name).length;
      expect(inClass(d.train.labels!) + inClass(d.test.labels!)).toBe(
        good.filter((w) => w.className === name).length,
      );
    }

    const broken = written
      .filter((w) => !w.decodes)
      .map((w) => w.rel)
      .sort();
    expect(meta.skipped.map((s) => s.path)).toEqual(broken);
    const reasonOf = (rel: string) => meta.skipped.find((s) => s.path === rel)!.reason;
    expect(reasonOf('cat/empty.png')).toBe('empty file');
    // libvips names a cut-off JPEG by where the cut falls: in the data or in a header segment.
    expect(reasonOf('airplane/truncated.jpg')).toMatch(/premature end|corrupt header/i);
    expect(reasonOf('ship/text.jpg')).toMatch(/unsupported image format/);
    expect(d.notes).toContain(
      `${broken.length} of ${written.length} image files in ${root} could not be decoded and were skipped`,
    );
    for (const rel of broken) expect(d.notes).toContain(`skipped ${rel}: ${reasonOf(rel)}`);
    expect(d.notes!.length).toBe(broken.length + 1);

    // The statistics are those of the training split's cached pixels.
    const train = splitBytes(d.train);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let squares = 0;
      for (let i = c; i < train.length; i += 3) {
        sum += train[i]! / 255;
        squares += (train[i]! / 255) ** 2;
      }
      const n = train.length / 3;
      expect(d.mean[c]).toBeCloseTo(sum / n, 6);
      expect(d.std[c]).toBeCloseTo(Math.sqrt(squares / n - (sum / n) ** 2), 6);
    }

    // inspect() walks the folders only: broken files still count, nothing is decoded or written.
    const emptyCache = path.join(tmp, 'cache-inspect');
    const summary = await inspectImageFolder({
      dataDir: root,
      imageSize: SIDE,
      cacheDir: emptyCache,
      testFraction: 0.25,
    });
    expect(summary.trainCount + summary.testCount).toBe(written.length);
    expect(summary).toMatchObject({
      labelled: true,
      evaluable: true,
      height: SIDE,
      width: SIDE,
      channels: 3,
    });
    expect(await cacheFiles(emptyCache)).toEqual([]);
    const defaultSize = await inspectImageFolder({ dataDir: root });
    expect([defaultSize.height, defaultSize.width]).toEqual([64, 64]);
  });

  it('keeps pixels close to the source images: upscaled, greyscale, alpha, palette, EXIF-rotated, TIFF', async () => {
    const cacheDir = path.join(tmp, 'cache-pixels');
    const d = await loadImageFolder({ dataDir: root, imageSize: SIDE, cacheDir });
    const meta = metaOf(cacheDir, (await cacheFiles(cacheDir))[0]!);
    const cached = (rel: string) => imageOf(d, meta, rel).image;
    const unrelated = byClass.get(1)![0]!;

    // 32 → 64 (each pixel a 2×2 block) → cached at 32 comes back close to the original (Lanczos shrinking
    // blurs a little), and far from another image.
    const up = cached('airplane/up64.png');
    expect(meanAbsoluteError(up, sources['airplane/up64.png']!)).toBeLessThan(3);
    expect(meanAbsoluteError(up, unrelated)).toBeGreaterThan(20);

    // Greyscale: three equal channels, each the grey image.
    const grey = cached('airplane/GREY.PNG');
    const greySource = sources['airplane/GREY.PNG']!;
    const spread = new Uint8Array(PER);
    for (let p = 0; p < SIDE * SIDE; p++) {
      expect(grey[p * 3]).toBe(grey[p * 3 + 1]);
      expect(grey[p * 3]).toBe(grey[p * 3 + 2]);
      spread.fill(greySource[p]!, p * 3, p * 3 + 3);
    }
    expect(meanAbsoluteError(grey, spread)).toBeLessThan(1);

    // Alpha: shown over white.
    const rgba = sources['cat/rgba.png']!;
    const overWhite = new Uint8Array(PER);
    for (let p = 0; p < SIDE * SIDE; p++) {
      const a = rgba[p * 4 + 3]! / 255;
      for (let c = 0; c < 3; c++) overWhite[p * 3 + c] = Math.round(rgba[p * 4 + c]! * a + 255 * (1 - a));
    }
    expect(meanAbsoluteError(cached('cat/rgba.png'), overWhite)).toBeLessThan(1.5);

    expect(meanAbsoluteError(cached('cat/palette.png'), sources['cat/palette.png']!)).toBeLessThan(4);
    // Lossless at the cache's own size: the very pixels.
    expect(meanAbsoluteError(cached('ship/s-4.tiff'), sources['ship/s-4.tiff']!)).toBe(0);
    // A bitmap (bottom-up rows, BGR order) comes back exact too.
    expect(meanAbsoluteError(cached('ship/s-6.bmp'), sources['ship/s-6.bmp']!)).toBe(0);
    expect(meanAbsoluteError(cached('ship/s-0.png'), byClass.get(8)![0]!)).toBe(0);

    // EXIF orientation applied: the upright original, not the stored quarter turn.
    const exif = cached('cat/exif.jpg');
    const stored = await raw(sources['cat/exif.jpg']!).rotate(270).raw().toBuffer();
    expect(meanAbsoluteError(exif, sources['cat/exif.jpg']!)).toBeLessThan(4);
    expect(meanAbsoluteError(exif, stored)).toBeGreaterThan(
      4 * meanAbsoluteError(exif, sources['cat/exif.jpg']!),
    );
  });

  it('reuses the cache: a second load decodes nothing, another seed copies every image instead of decoding', async () => {
    const cacheDir = path.join(tmp, 'cache-reuse');
    let decodes = 0;
    const onDecode = () => decodes++;
    const first = await loadImageFolder({ dataDir: root, imageSize: SIDE, cacheDir }, { onDecode });
    expect(decodes).toBe(written.length);
    const [file] = await cacheFiles(cacheDir);
    const builtAt = (await stat(path.join(cacheDir, file!))).mtimeMs;

    decodes = 0;
    const again = await loadImageFolder({ dataDir: root, imageSize: SIDE, cacheDir }, { onDecode });
    expect(decodes).toBe(0);
    expect((await stat(path.join(cacheDir, file!))).mtimeMs).toBe(builtAt);
    expect(splitBytes(again.train)).toEqual(splitBytes(first.train));
    expect(again.notes).toEqual(first.notes);
    expect(again.mean).toEqual(first.mean);

    // Another seed holds out other images: its own cache, built from the first one's images.
    const reseeded = await loadImageFolder(
      { dataDir: root, imageSize: SIDE, cacheDir, seed: 7 },
      { onDecode },
    );
    expect(decodes).toBe(0);
    expect(await cacheFiles(cacheDir)).toHaveLength(2);
    expect(reseeded.train.count + reseeded.test.count).toBe(first.train.count + first.test.count);
  });

  it('rebuilds only what changed: an edited and an added file are decoded, the rest copied', async () => {
    const changing = path.join(tmp, 'changing');
    await cp(root, changing, { recursive: true, preserveTimestamps: true });
    const cacheDir = path.join(tmp, 'cache-incremental');
    let decoded: string[] = [];
    const onDecode = (p: string) => decoded.push(p);
    await loadImageFolder({ dataDir: changing, imageSize: SIDE, cacheDir }, { onDecode });
    expect(decoded).toHaveLength(written.length);

    const replacement = byClass.get(3)![20]!;
    await put(changing, 'airplane/plain-0.png', await raw(replacement).png().toBuffer());
    // A modification time unlike the old one even where the file system's clock is coarse.
    await utimes(path.join(changing, 'airplane/plain-0.png'), new Date(), new Date(Date.now() + 5000));
    await put(changing, 'ship/new/s-9.png', await raw(byClass.get(8)![9]!).png().toBuffer());
    await rm(path.join(changing, 'ship/s-0.png'));

    decoded = [];
    const d = await loadImageFolder({ dataDir: changing, imageSize: SIDE, cacheDir }, { onDecode });
    expect(decoded.sort()).toEqual(['airplane/plain-0.png', 'ship/new/s-9.png']);
    const files = await cacheFiles(cacheDir);
    expect(files).toHaveLength(1); // the changed folder's cache replaced the old one
    const meta = metaOf(cacheDir, files[0]!);
    expect(meanAbsoluteError(imageOf(d, meta, 'airplane/plain-0.png').image, replacement)).toBeLessThan(1);
    expect(imageOf(d, meta, 'ship/new/s-9.png').label).toBe(d.classNames.indexOf('ship'));
    expect(() => imageOf(d, meta, 'ship/s-0.png')).toThrow(/neither split/);
    // Images copied from the old cache are the ones a fresh decode gives.
    const fresh = await loadImageFolder({
      dataDir: changing,
      imageSize: SIDE,
      cacheDir: path.join(tmp, 'cache-fresh'),
    });
    expect(splitBytes(d.train)).toEqual(splitBytes(fresh.train));
    expect(splitBytes(d.test)).toEqual(splitBytes(fresh.test));
    expect(meta.skipped.map((s) => s.path)).toEqual(
      written
        .filter((w) => !w.decodes)
        .map((w) => w.rel)
        .sort(),
    );
  });
});

describe('the held-out test split', () => {
  let root: string;
  const perClass = 12;
  const classes = ['bird', 'cat', 'deer'];

  beforeAll(async () => {
    root = path.join(tmp, 'clean');
    for (const [k, name] of classes.entries()) {
      const images = byClass.get([2, 3, 4][k]!)!;
      for (let i = 0; i < perClass; i++)
        await put(root, `${name}/${String(i).padStart(2, '0')}.png`, await raw(images[i]!).png().toBuffer());
    }
  });

  const heldOut = async (seed: number | undefined, cacheDir: string) => {
    const d = await loadImageFolder({
      dataDir: root,
      imageSize: SIDE,
      cacheDir,
      testFraction: 0.25,
      ...(seed === undefined ? {} : { seed }),
    });
    const meta = metaOf(cacheDir, (await cacheFiles(cacheDir))[0]!);
    return { d, test: meta.files.test!.map(([p]) => p).sort() };
  };

  it('holds out the fraction of each class, the same way for the same seed and another way for another', async () => {
    const a = await heldOut(undefined, path.join(tmp, 'split-a'));
    const b = await heldOut(0, path.join(tmp, 'split-b'));
    const c = await heldOut(1, path.join(tmp, 'split-c'));
    for (const name of classes) {
      const label = a.d.classNames.indexOf(name);
      expect(a.d.test.labels!.filter((l) => l === label)).toHaveLength(Math.round(perClass * 0.25));
      expect(a.d.train.labels!.filter((l) => l === label)).toHaveLength(
        perClass - Math.round(perClass * 0.25),
      );
    }
    expect(b.test).toEqual(a.test);
    expect(splitBytes(b.d.test)).toEqual(splitBytes(a.d.test));
    expect(c.test).not.toEqual(a.test);
    // Either way every image is in exactly one split.
    expect(c.d.train.count + c.d.test.count).toBe(classes.length * perClass);

    // The first N of a split hold every class in turn, so a small trainSize is still stratified.
    const small = await loadImageFolder({
      dataDir: root,
      imageSize: SIDE,
      cacheDir: path.join(tmp, 'split-a'),
      trainSize: 6,
      testSize: 3,
    });
    expect([...small.train.labels!]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...small.test.labels!]).toEqual([0, 1, 2]);
    const summary = await inspectImageFolder({ dataDir: root, testFraction: 0.25 });
    expect([summary.trainCount, summary.testCount]).toEqual([a.d.train.count, a.d.test.count]);
  });
});
