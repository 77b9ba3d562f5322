import type { AugmentationPreview, AugmentationPreviewInput } from '../../domain';
import { initBackend } from '../backend';
import { DatasetCache, drawAugmentationPreview, previewDefaults } from '../data/preview';
import { getMethod, resolveConfig } from '../methods';

/** The augmentation preview of the new-run form. */
export class AugmentationPreviews {
  private readonly datasets: DatasetCache;

  /** `datasetCacheDir`: the dataset cache's folder (data/image-cache.ts), beside the database. */
  constructor(datasetCacheDir?: string) {
    this.datasets = new DatasetCache(2, datasetCacheDir);
  }

  /**
   * The views a method's settings draw from a few dataset images. Config and dataset are checked as for
   * a new run; augmentation runs on tfjs's pure-JS 'cpu' backend, which is quick for a handful of small
   * images and keeps the host free of the wasm runtime the workers use.
   */
  async preview(input: AugmentationPreviewInput): Promise<AugmentationPreview> {
    const method = getMethod(input.method);
    const config = resolveConfig(method, input.config);
    const dataset = await this.datasets.load({ ...input.dataset, seed: config.seed });
    await initBackend('cpu');
    const plan = method.viewPlan(config, dataset.height);
    return drawAugmentationPreview(dataset, plan, input.count ?? previewDefaults.count, input.seed ?? 0);
  }
}
