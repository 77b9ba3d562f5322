import * as tf from '@tensorflow/tfjs-core';
import { evalTrainSplit, type Dataset } from '../data/dataset';
import { extractFeatures } from '../eval/features';
import type { Backbone } from '../nn/backbones';

/**
 * The encoder's L2-normalised eval-mode features of both splits at one evaluation (eval/features.ts),
 * extracted once on first use and shared by every callback that reads them (kNN, diagnostics, the
 * final linear probe). The training loop disposes them after the evaluation; a callback that needs
 * them longer takes its own reference with keep().
 */
export class SplitFeatures {
  private readonly cache: Partial<Record<'train' | 'test', tf.Tensor2D | null>> = {};

  constructor(
    private readonly encoder: Backbone,
    private readonly dataset: Dataset,
  ) {}

  /** The features of a whole split (for 'train': the labelled one kNN fits on, evalTrainSplit), or null when it is empty. */
  of(split: 'train' | 'test'): tf.Tensor2D | null {
    if (this.cache[split] === undefined) {
      const images = split === 'train' ? evalTrainSplit(this.dataset) : this.dataset.test;
      this.cache[split] =
        images.count === 0
          ? null
          : extractFeatures(this.encoder, images, this.dataset.mean, this.dataset.std);
    }
    return this.cache[split];
  }

  /**
   * References to both splits' features that outlive this evaluation (the caller disposes them), or
   * undefined when a split is empty. tf.clone shares the values, so nothing is copied.
   */
  keep(): { train: tf.Tensor2D; test: tf.Tensor2D } | undefined {
    const train = this.of('train');
    const test = this.of('test');
    if (!train || !test) return undefined;
    return { train: tf.clone(train), test: tf.clone(test) };
  }

  dispose(): void {
    for (const t of Object.values(this.cache)) t?.dispose();
  }
}
