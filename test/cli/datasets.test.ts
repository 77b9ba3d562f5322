import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar10 } from '../../src-main/engine/data/cifar10';
import { splitBytes } from '../../src-main/engine/data/splits';
import { Store } from '../../src-main/engine/store/store';
import { cifarDir, jsonLines, runCli, tempDir } from '../helpers/cli';

const FASHION = '/usr/share/datasets/fashion-mnist';

let dir: string;
beforeAll(() => {
  dir = tempDir('contrastlab-datasets-cli-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The run's metric points of `key`, in step order, and its log lines, read from the database file. */
function recorded(db: string, key: string): { points: { step: number; value: number }[]; logs: string[] } {
  const store = new Store(db);
  try {
    const [run] = store.listRuns();
    const points = store.metrics([run!.id], [key]).map((p) => ({ step: p.step, value: p.value }));
    const logs = store.logs(run!.id).map((l) => l.message);
    return { points, logs };
  } finally {
    store.close();
  }
}

/** Writes CIFAR-10 subset images as PNG files, one folder per class, upscaled to 40×40. */
async function writeFolder(root: string, perClass: number): Promise<void> {
  const cifar = await loadCifar10({ dataDir: cifarDir, trainSize: 600 });
  const bytes = splitBytes(cifar.train);
  const written = new Map<number, number>();
  for (let i = 0; i < cifar.train.count; i++) {
    const label = cifar.train.labels![i]!;
    const n = written.get(label) ?? 0;
    if (n >= perClass) continue;
    written.set(label, n + 1);
    const folder = path.join(root, cifar.classNames[label]!);
    fs.mkdirSync(folder, { recursive: true });
    await sharp(Buffer.from(bytes.subarray(i * 3072, (i + 1) * 3072)), {
      raw: { width: 32, height: 32, channels: 3 },
    })
      .resize(40, 40)
      .png()
      .toFile(path.join(folder, `${i}.png`));
  }
}

describe('training on your own data from the command line', () => {
  it.skipIf(!fs.existsSync(FASHION))(
    'one epoch of SimCLR on the real Fashion-MNIST raises kNN above its step-0 value',
    async () => {
      const db = path.join(dir, 'fashion.db');
      const r = await runCli([
        'train',
        '--method',
        'simclr',
        '--dataset',
        'fashion-mnist',
        '--data-dir',
        FASHION,
        '--train-size',
        '4000',
        '--test-size',
        '1000',
        '--epochs',
        '1',
        '--db',
        db,
        '--json',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'finished', status: 'completed' });
      const { points } = recorded(db, 'knn_top1');
      expect(points.map((p) => p.step)[0]).toBe(0);
      expect(points.at(-1)!.value).toBeGreaterThan(points[0]!.value);
      expect(recorded(db, 'worker_peak_mb').points.length).toBeGreaterThan(0);
    },
  );

  it('trains on a folder of images at the size asked for, building the cache once and reusing it', async () => {
    const folder = path.join(dir, 'pets');
    await writeFolder(folder, 12);
    const args = (db: string) => [
      'train',
      '--method',
      'simclr',
      '--dataset',
      'imagefolder',
      '--data-dir',
      folder,
      '--image-size',
      '24',
      '--epochs',
      '1',
      '--width',
      '8',
      '--batch-size',
      '32',
      '--db',
      db,
      '--json',
    ];
    const first = path.join(dir, 'folder-1.db');
    const r1 = await runCli(args(first));
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    const run1 = recorded(first, 'knn_top1');
    expect(run1.points.length).toBe(2);
    expect(run1.logs.some((l) => /preparing the dataset cache/.test(l))).toBe(true);
    // The cache lies beside the database and is read, not rebuilt, by the next run on the same folder.
    expect(fs.readdirSync(path.join(dir, 'dataset-cache')).length).toBeGreaterThan(0);
    const second = path.join(dir, 'folder-2.db');
    const r2 = await runCli(args(second));
    expect(r2.code).toBe(0);
    expect(recorded(second, 'knn_top1').logs.some((l) => /preparing the dataset cache/.test(l))).toBe(false);
  });

  it.skipIf(!fs.existsSync(FASHION))(
    'refuses CMC on a greyscale dataset in one line, before a run is written',
    async () => {
      const db = path.join(dir, 'cmc-grey.db');
      const r = await runCli([
        'train',
        '--method',
        'cmc',
        '--dataset',
        'fashion-mnist',
        '--data-dir',
        FASHION,
        '--db',
        db,
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/CMC needs colour images; Fashion-MNIST has 1 channel/);
      if (fs.existsSync(db)) {
        const store = new Store(db);
        expect(store.listRuns()).toEqual([]);
        store.close();
      }
    },
  );

  describe('bad input gets one line and no run', () => {
    const cases: [string, () => string[], RegExp][] = [
      [
        'an image size too small',
        () => ['--dataset', 'synthetic', '--image-size', '8'],
        /--image-size must be .*16 to 256/,
      ],
      [
        'an image size too large',
        () => ['--dataset', 'synthetic', '--image-size', '300'],
        /--image-size must be .*16 to 256/,
      ],
      [
        'a folder that does not exist',
        () => ['--dataset', 'imagefolder', '--data-dir', path.join(dir, 'nowhere')],
        /nowhere/,
      ],
      [
        'a folder with no images',
        () => {
          const empty = path.join(dir, 'empty-folder');
          fs.mkdirSync(empty, { recursive: true });
          fs.writeFileSync(path.join(empty, 'notes.txt'), 'no pictures here');
          return ['--dataset', 'imagefolder', '--data-dir', empty];
        },
        /no images/i,
      ],
      [
        'an STL-10 folder without its unlabelled images',
        () => {
          const stl = path.join(dir, 'stl10_binary');
          fs.mkdirSync(stl, { recursive: true });
          for (const f of ['train_X.bin', 'test_X.bin'])
            fs.writeFileSync(path.join(stl, f), Buffer.alloc(2 * 27648));
          for (const f of ['train_y.bin', 'test_y.bin'])
            fs.writeFileSync(path.join(stl, f), Buffer.from([1, 2]));
          return ['--dataset', 'stl10', '--data-dir', stl];
        },
        /unlabeled_X\.bin/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const db = path.join(dir, `bad-${what.replace(/\W/g, '_')}.db`);
        const r = await runCli(['train', '--method', 'simclr', ...args(), '--db', db]);
        expect(r.code).not.toBe(0);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        if (fs.existsSync(db)) {
          const store = new Store(db);
          expect(store.listRuns()).toEqual([]);
          store.close();
        }
      });
    }
  });
});
