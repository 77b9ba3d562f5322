import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { COLLAPSE_RANK, COLLAPSE_STD_RATIO } from '../eval/collapse';
import { epochDiagnostics, type PairSet } from '../eval/diagnostics';
import type { Backbone } from '../nn/backbones';
import { float32ToBase64 } from '../util/base64';
import type { TrainReporter } from './train';

/** Test images in each epoch's embedding snapshot (the embedding map), and training images in the latest one (retrieval). */
export const TEST_EMBEDDING_CAP = 2000;
export const TRAIN_EMBEDDING_CAP = 10000;

export interface EvaluationFeatures {
  encoder: Backbone;
  dataset: Dataset;
  pairs: PairSet;
  /** The kNN monitor's L2-normalised features of the whole splits (null for an empty split). */
  train: tf.Tensor2D | null;
  test: tf.Tensor2D | null;
}

/**
 * One evaluation's diagnostics (eval/diagnostics.ts), reported: the metric points, the similarity
 * histogram, the embedding snapshots (test each epoch, train for retrieval), and a warning when the
 * representation is collapsing. Returns the seconds it took, for the log.
 */
export function reportDiagnostics(
  reporter: TrainReporter,
  step: number,
  epoch: number,
  features: EvaluationFeatures,
): number {
  const started = performance.now();
  const diagnostics = epochDiagnostics(features.encoder, features.dataset, features.pairs, features.test);
  for (const [key, value] of Object.entries(diagnostics.metrics)) reporter.metric(step, epoch, key, value);
  if (diagnostics.histogram) reporter.histogram?.({ step, epoch, ...diagnostics.histogram });
  const { embedding_std: std, embedding_dim: dim, effective_rank: rank } = diagnostics.metrics;
  // Not at step 0: a randomly initialised ConvNet's features (ReLU, then average pooling: all ≥ 0) sit near
  // the std threshold already (std·√d ≈ 0.18–0.25 measured on CIFAR-10), and nothing has collapsed yet.
  if (step > 0 && diagnostics.collapsing && std !== undefined && dim !== undefined && rank !== undefined) {
    reporter.log(
      'warn',
      `epoch ${epoch}: the representation is collapsing: std·√d ${(std * Math.sqrt(dim)).toFixed(3)} ` +
        `(healthy ≈ 1, warning below ${COLLAPSE_STD_RATIO}), effective rank ${rank.toFixed(2)} of ${dim} ` +
        `(warning below ${COLLAPSE_RANK})`,
    );
  }
  if (reporter.embedding) {
    if (features.test && diagnostics.testData) {
      const [n, d] = features.test.shape;
      const count = Math.min(n, TEST_EMBEDDING_CAP);
      reporter.embedding({
        split: 'test',
        step,
        epoch,
        indices: Array.from({ length: count }, (_, i) => i),
        dim: d,
        features: float32ToBase64(diagnostics.testData.subarray(0, count * d)),
      });
    }
    if (features.train) {
      const [n, d] = features.train.shape;
      const count = Math.min(n, TRAIN_EMBEDDING_CAP);
      const head = tf.slice(features.train, [0, 0], [count, d]);
      const data = head.dataSync() as Float32Array;
      head.dispose();
      reporter.embedding({
        split: 'train',
        step,
        epoch,
        indices: Array.from({ length: count }, (_, i) => i),
        dim: d,
        features: float32ToBase64(data),
      });
    }
  }
  return (performance.now() - started) / 1000;
}
