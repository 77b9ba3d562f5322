import * as tf from '@tensorflow/tfjs-core';
import { COLLAPSE_RANK, COLLAPSE_STD_RATIO } from '../../eval/collapse';
import { epochDiagnostics, pairSet, projectorOf, type PairSet } from '../../eval/diagnostics';
import { float32ToBase64 } from '../../util/base64';
import type { EpochEnd, TrainingCallback, TrainingRun } from './training-callback';

/** Test images in each epoch's embedding snapshot (the embedding map), and training images in the latest one (retrieval). */
export const TEST_EMBEDDING_CAP = 2000;
export const TRAIN_EMBEDDING_CAP = 10000;

/**
 * Every evaluation's diagnostics (eval/diagnostics.ts), reported: the metric points, the similarity
 * histogram, the embedding snapshots (test each epoch, train for retrieval), and a warning when the
 * representation is collapsing.
 */
export class DiagnosticsCallback implements TrainingCallback {
  private pairs: PairSet | undefined;

  onStart(run: TrainingRun): void {
    // The same images and view pairs at every evaluation, so the histograms are comparable over epochs.
    this.pairs = pairSet(run.dataset.train.count, run.plan, run.config.seed);
  }

  onEpochEnd(run: TrainingRun, { step, epoch, features }: EpochEnd): void {
    const { reporter } = run;
    const test = features.of('test');
    // SimSiam's std on the projector's output z, RankMe's rank on the encoder's (eval/diagnostics.ts).
    const { instance } = run;
    const diagnostics = epochDiagnostics(
      instance.encoder,
      run.dataset,
      this.pairs!,
      test,
      projectorOf(instance),
    );
    for (const [key, value] of Object.entries(diagnostics.metrics)) reporter.metric(step, epoch, key, value);
    if (diagnostics.histogram) reporter.histogram?.({ step, epoch, ...diagnostics.histogram });
    const { embedding_std: std, embedding_dim: dim, effective_rank: rank } = diagnostics.metrics;
    // Not at step 0: a randomly initialised ConvNet's features (ReLU, then average pooling: all ≥ 0) sit near
    // the std threshold already (std·√d ≈ 0.18–0.25 measured on CIFAR-10), and nothing has collapsed yet.
    if (step > 0 && diagnostics.collapsing && std !== undefined && dim !== undefined && rank !== undefined) {
      reporter.log(
        'warn',
        `epoch ${epoch}: the representation is collapsing: std·√d ${(std * Math.sqrt(dim)).toFixed(3)} ` +
          `(healthy ≈ 1, warning below ${COLLAPSE_STD_RATIO}), effective rank ${rank.toFixed(2)} of ` +
          `${test?.shape[1] ?? dim} (warning below ${COLLAPSE_RANK})`,
      );
    }
    if (reporter.embedding) {
      if (test && diagnostics.testData) {
        const [n, d] = test.shape;
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
      const train = features.of('train');
      if (train) {
        const [n, d] = train.shape;
        const count = Math.min(n, TRAIN_EMBEDDING_CAP);
        const head = tf.slice(train, [0, 0], [count, d]);
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
  }
}
