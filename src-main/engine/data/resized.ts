import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Dataset, DatasetOptions, ImageSplit } from './dataset';
import { openCachedSplit, readImageCacheHeader, writeImageCache } from './image-cache';
import { resizeRaw } from './resize';

/** The dataset cache's folder: the one given (beside the database), or one in the temporary folder. */
export function cacheFolder(options: DatasetOptions): string {
  return options.cacheDir ?? path.join(os.tmpdir(), 'contrastlab-dataset-cache');
}

/** Images resized at once while a cache is built: enough to keep every core's libvips busy. */
const IN_FLIGHT = Math.max(4, os.availableParallelism() * 2);

/**
 * A dataset at another resolution: every image resized (shorter side) and centre-cropped once into the
 * dataset cache, keyed by a digest of the images and labels, so a later run at the same size reads the
 * cache and a different subset or seed builds its own.
 */
export async function resizedDataset(
  dataset: Dataset,
  size: number,
  options: DatasetOptions,
): Promise<Dataset> {
  const splits = {
    train: dataset.train,
    test: dataset.test,
    ...(dataset.labelledTrain ? { labelledTrain: dataset.labelledTrain } : {}),
  };
  const digest = createHash('sha256');
  digest.update(`${dataset.id} ${dataset.height}x${dataset.width}x${dataset.channels} → ${size}\n`);
  for (const [name, split] of Object.entries(splits)) {
    digest.update(`${name} ${split.count}\n`);
    // In chunks: file-backed splits are not read whole.
    for (let first = 0; first < split.count; first += 1024) {
      const n = Math.min(1024, split.count - first);
      digest.update(split.pixels.read(Int32Array.from({ length: n }, (_, i) => first + i)));
    }
    if (split.labels)
      digest.update(new Uint8Array(split.labels.buffer, split.labels.byteOffset, split.labels.byteLength));
  }
  const key = digest.digest('hex');
  const file = path.join(cacheFolder(options), `${dataset.id}-${size}px-${key.slice(0, 16)}.images`);
  let header = readImageCacheHeader(file);
  if (header?.key !== key) {
    const per = size * size * dataset.channels;
    header = await writeImageCache(
      file,
      {
        key,
        source: {
          id: dataset.id,
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          variant: `resized from ${dataset.height}px`,
        },
        height: size,
        width: size,
        channels: dataset.channels,
        classNames: dataset.classNames,
      },
      Object.entries(splits).map(([name, split]) => ({
        name,
        count: split.count,
        labels: split.labels,
        fill: async (first: number, n: number, out: Uint8Array) => {
          const bytes = split.pixels.read(Int32Array.from({ length: n }, (_, i) => first + i));
          const inPer = dataset.height * dataset.width * dataset.channels;
          for (let start = 0; start < n; start += IN_FLIGHT) {
            const batch = Array.from({ length: Math.min(IN_FLIGHT, n - start) }, (_, k) => start + k);
            const resized = await Promise.all(
              batch.map((i) => resizeRaw(bytes.subarray(i * inPer, (i + 1) * inPer), dataset, size)),
            );
            batch.forEach((i, k) => out.set(resized[k]!, i * per));
          }
        },
      })),
      options.onProgress,
    );
  }
  const open = (name: string): ImageSplit => openCachedSplit(file, header, name);
  return {
    ...dataset,
    height: size,
    width: size,
    train: open('train'),
    test: open('test'),
    ...(dataset.labelledTrain ? { labelledTrain: open('labelledTrain') } : {}),
  };
}
