/**
 * The augmentation preview of the run form: a few dataset images and the views a method's current
 * settings draw from them, with the same batched augmentation the training loop uses (augment.ts).
 */
import type { AugmentationPreview } from '../../domain';
import type { ViewPlan } from '../../domain';
import { Rng } from '../util/rng';
import { augmentBatch, toFloatBatch } from './augment';
import type { Dataset, DatasetOptions } from './dataset';
import { loadDataset, type DatasetSpec } from '.';
import { tileFromPixels, tileFromSplit } from './tiles';

export const previewDefaults = { count: 6, maxCount: 16 };

/** Names of the views in plan order: 'global 1', 'global 2', …, then 'local 1', …. */
export function viewNames(plan: ViewPlan): string[] {
  return [...plan.global.map((_, i) => `global ${i + 1}`), ...plan.local.map((_, i) => `local ${i + 1}`)];
}

/**
 * Picks `count` training images deterministically from `seed` and draws every view of the plan for them
 * (global crops, then local crops; a local crop may be smaller than the image). Runs on whatever tfjs
 * backend is current: the engine host uses 'cpu', which is quick for a handful of small images.
 */
export function drawAugmentationPreview(
  dataset: Dataset,
  plan: ViewPlan,
  count: number,
  seed: number,
): AugmentationPreview {
  const n = Math.max(1, Math.min(count, previewDefaults.maxCount, dataset.train.count));
  const rng = new Rng(seed);
  const indices = rng.permutation(dataset.train.count).slice(0, n);
  const augmentRng = rng.fork();
  const shape = { height: dataset.height, width: dataset.width, channels: dataset.channels };
  const originals = Array.from(indices, (i) => tileFromSplit(dataset.train, i, shape));
  const views: AugmentationPreview['views'] = originals.map(() => []);
  const images = toFloatBatch(dataset.train, indices, shape);
  try {
    for (const aug of [...plan.global, ...plan.local]) {
      const view = augmentBatch(images, aug, augmentRng);
      const [, h, w, c] = view.shape;
      const pixels = view.dataSync();
      view.dispose();
      const size = h * w * c;
      for (let i = 0; i < n; i++) {
        const one = pixels.subarray(i * size, (i + 1) * size);
        views[i]!.push(tileFromPixels(one, { height: h, width: w, channels: c }, 255));
      }
    }
  } finally {
    images.dispose();
  }
  return { viewNames: viewNames(plan), originals, views };
}

/**
 * The last few datasets the preview loaded, so re-drawing as the form changes does not reload them.
 * (Keyed by everything that changes what loadDataset returns.)
 */
export class DatasetCache {
  private readonly entries = new Map<string, Promise<Dataset>>();

  constructor(
    private readonly capacity = 2,
    /** The dataset cache's folder (data/image-cache.ts), beside the database. */
    private readonly cacheDir?: string,
  ) {}

  load(spec: DatasetSpec & DatasetOptions): Promise<Dataset> {
    const { onProgress: _, ...identity } = spec;
    const key = JSON.stringify(identity);
    let entry = this.entries.get(key);
    if (entry) {
      // Most recently used last.
      this.entries.delete(key);
    } else {
      entry = loadDataset(this.cacheDir ? { cacheDir: this.cacheDir, ...spec } : spec);
      entry.catch(() => this.entries.delete(key));
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
