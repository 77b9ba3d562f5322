import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src-main/domain';
import { loadCifar10 } from '../../../src-main/engine/data/cifar10';
import { inspectImageFolder, loadImageFolder } from '../../../src-main/engine/data/imagefolder';
import { splitBytes } from '../../../src-main/engine/data/splits';

const CIFAR = '/work/shared/data/cifar10-subset/cifar-10-batches-bin';

let tmp: string;
let cacheDir: string;
/** Real images to fill folders with: PNG and JPEG bytes of CIFAR-10 training images. */
let png: Buffer[];
let jpeg: Buffer;

async function put(root: string, rel: string, bytes: Buffer | string): Promise<void> {
  const file = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

async function folder(name: string, files: Record<string, Buffer | string>): Promise<string> {
  const root = path.join(tmp, name);
  await mkdir(root, { recursive: true });
  for (const [rel, bytes] of Object.entries(files)) await put(root, rel, bytes);
  return root;
}

async function cacheFiles(): Promise<string[]> {
  try {
    return await readdir(cacheDir);
  } catch {
    return [];
  }
}

/** The one-line DatasetError both inspect and load give (or load alone, for what only decoding finds). */
async function rejectsWith(
  dataDir: string,
  line: string,
  options: { inspectToo?: boolean; extra?: object } = {},
) {
  const errors: unknown[] = [];
  // One at a time, each started only when awaited, so no rejection waits unhandled.
  const calls: (() => Promise<unknown>)[] = [
    () => loadImageFolder({ dataDir, cacheDir, imageSize: 32, ...options.extra }),
  ];
  if (options.inspectToo ?? true)
    calls.push(() => inspectImageFolder({ dataDir, cacheDir, ...options.extra }));
  for (const call of calls) {
    await call().then(
      () => errors.push(null),
      (e: unknown) => errors.push(e),
    );
  }
  expect(errors).toHaveLength(calls.length);
  for (const e of errors) {
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as Error).message).toBe(line);
  }
  // Nothing written: no cache, no scratch file.
  expect(await cacheFiles()).toEqual([]);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'imagefolder-errors-'));
  cacheDir = path.join(tmp, 'cache');
  const cifar = await loadCifar10({ dataDir: CIFAR, trainSize: 8 });
  const bytes = splitBytes(cifar.train);
  const raw = (i: number) =>
    sharp(bytes.subarray(i * 3072, (i + 1) * 3072), { raw: { width: 32, height: 32, channels: 3 } });
  png = await Promise.all([0, 1, 2, 3].map((i) => raw(i).png().toBuffer()));
  jpeg = await raw(4).jpeg().toBuffer();
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('image folder errors: one line, nothing written', () => {
  it('a path that does not exist', async () => {
    const missing = path.join(tmp, 'no-such-folder');
    await rejectsWith(missing, `Image folder not found: ${missing}`);
  });

  it('a path that is a file', async () => {
    const file = path.join(tmp, 'picture.png');
    await writeFile(file, png[0]!);
    await rejectsWith(file, `Not a folder (image folders need a folder of images, not a file): ${file}`);
  });

  it('no data directory at all', async () => {
    await expect(loadImageFolder({ cacheDir })).rejects.toThrow(
      new DatasetError('Image folders need a data directory (a folder of images)'),
    );
  });

  it('a folder with no images (only a README and hidden images)', async () => {
    const root = await folder('no-images', { 'README.txt': 'nothing here', '.hidden/a.png': png[0]! });
    await rejectsWith(root, `No images (jpg, jpeg, jfif, png, webp, gif, tif, tiff, bmp) in ${root}`);
  });

  it('a folder where every image file is broken', async () => {
    const root = await folder('all-broken', {
      'empty.png': Buffer.alloc(0),
      'text.jpg': 'not a JPEG',
      'truncated.jpg': jpeg.subarray(0, jpeg.length >> 1),
    });
    // Only decoding finds this out: inspect counts the files.
    await rejectsWith(root, `None of the 3 image files in ${root} could be decoded (empty.png: empty file)`, {
      inspectToo: false,
    });
    expect((await inspectImageFolder({ dataDir: root })).trainCount).toBe(3);
  });

  it('a class whose every image is broken', async () => {
    const root = await folder('class-broken', {
      'a/1.png': png[0]!,
      'a/2.png': png[1]!,
      'b/1.png': Buffer.alloc(0),
    });
    await rejectsWith(root, `No image of class "b" in ${root} could be decoded`, { inspectToo: false });
  });

  it('an empty class folder, named', async () => {
    const root = await folder('empty-class', {
      'a/1.png': png[0]!,
      'a/deeper/2.png': png[1]!,
      'b/README.txt': 'no images in this class',
      'b/.hidden/3.png': png[2]!,
    });
    await rejectsWith(root, `Class folder has no images: ${path.join(root, 'b')}`);
  });

  it('a test class that the training folder does not have', async () => {
    const root = await folder('unknown-test-class', {
      'train/a/1.png': png[0]!,
      'train/b/1.png': png[1]!,
      'test/a/1.png': png[2]!,
      'test/c/1.png': png[3]!,
    });
    await rejectsWith(
      root,
      `Class folder "c" is not among the training classes: ${path.join(root, 'test', 'c')}`,
    );
  });

  it('options out of range', async () => {
    const root = await folder('fine', { 'a/1.png': png[0]!, 'b/1.png': png[1]! });
    await rejectsWith(root, 'testFraction must be between 0 and 1 (exclusive), got 1.5', {
      extra: { testFraction: 1.5 },
    });
    await rejectsWith(root, 'imageSize must be a whole number from 16 to 256, got 8', {
      extra: { imageSize: 8 },
    });
    await rejectsWith(root, 'trainSize must be a positive whole number, got 0', { extra: { trainSize: 0 } });
  });

  it('a folder without read permission', async () => {
    const root = await folder('locked', { 'a/1.png': png[0]!, 'b/1.png': png[1]! });
    await chmod(root, 0o000);
    try {
      const line = `Cannot read image folder (permission denied): ${root}`;
      if (process.getuid?.() !== 0) {
        await rejectsWith(root, line);
        return;
      }
      // root reads any folder: ask as the unprivileged user 'nobody', in a child process.
      await chmod(tmp, 0o755);
      const module = path.resolve('src-main/engine/data/imagefolder.ts');
      const script = `
        const { loadImageFolder, inspectImageFolder } = await import(${JSON.stringify(module)});
        for (const call of [loadImageFolder, inspectImageFolder]) {
          try { await call({ dataDir: ${JSON.stringify(root)}, cacheDir: ${JSON.stringify(cacheDir)} }); console.log('loaded'); }
          catch (e) { console.log(e.name + ': ' + e.message); }
        }`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.stderr).toBe('');
      expect(child.stdout.trim().split('\n')).toEqual([`DatasetError: ${line}`, `DatasetError: ${line}`]);
      expect(await cacheFiles()).toEqual([]);
    } finally {
      await chmod(root, 0o755);
    }
  });
});
