/**
 * Transfer of a frozen representation to another labelled dataset (InstDisc, Wu et al. 2018, Sec. 4;
 * MoCo, He et al. 2020, Sec. 4.2; SimCLR, Chen et al. 2020, Sec. 6 and App. B.8): the run's encoder,
 * unchanged, embeds the other dataset's images, and the embedding is judged on that dataset's own
 * train/test splits by the same two protocols the run is judged by on its own data: weighted kNN with the
 * run's k and temperature (eval/knn.ts) and the linear probe (eval/linear-probe.ts).
 *
 * The other dataset's images are shown to the network as its training images were:
 * - at the run's input size: resized (shorter side) and centre-cropped through the dataset cache
 *   (data/resized.ts), as a dataset is read at any size other than its own;
 * - with the run's number of channels (data/channels.ts): greyscale repeated in R, G and B for a colour
 *   run, colour reduced to its luma for a greyscale one;
 * - normalised with the RUN's per-channel mean and std, not the other dataset's: the network learned on
 *   (x − mean_run) / std_run, so those are the inputs its weights and batch-norm statistics expect.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { DatasetError } from '../../domain';
import { withChannels } from '../data/channels';
import { evalTrainSplit, type Dataset, type DatasetOptions, type ImageShape } from '../data/dataset';
import { resizedDataset } from '../data/resized';
import type { Backbone } from '../nn/backbones';
import { extractFeatures } from './features';
import { weightedKnn } from './knn';
import { probeEncoder } from './linear-probe';

/** What the run's network was trained on: its input's shape and the statistics it was normalised with. */
export interface RunInput extends ImageShape {
  mean: [number, number, number];
  std: [number, number, number];
}

/** The run's input shape and statistics, from its own dataset as the training loop loaded it. */
export function runInputOf(dataset: Dataset): RunInput {
  const { height, width, channels, mean, std } = dataset;
  return { height, width, channels, mean, std };
}

/** One line when the other dataset cannot judge a representation: no labels on both of its splits. */
export function checkTransferTarget(target: Dataset): void {
  if (!evalTrainSplit(target).labels || !target.test.labels || target.test.count === 0) {
    throw new DatasetError(`dataset ${target.name} has no labelled training and test images to transfer to`);
  }
}

/**
 * The other dataset as the run's network sees it: at the run's size (resized into the dataset cache when
 * it is not; `options` name that cache), with the run's channels, and with the run's mean and std as its
 * statistics, so every evaluation normalises with them. Its splits, labels and class names stay its own.
 */
export async function transferDataset(
  target: Dataset,
  run: RunInput,
  options: DatasetOptions = {},
): Promise<Dataset> {
  checkTransferTarget(target);
  if (run.height !== run.width)
    throw new RangeError(`the run's images are not square (${run.height}×${run.width})`);
  const sized =
    target.height === run.height && target.width === run.width
      ? target
      : await resizedDataset(target, run.height, options);
  if (run.channels !== 1 && run.channels !== 3) throw new RangeError(`a ${run.channels}-channel run`);
  const adapted = withChannels(sized, run.channels);
  // The network was trained on inputs normalised by its own dataset's mean and std: keep those.
  return { ...adapted, mean: [...run.mean], std: [...run.std] };
}

export interface TransferOptions {
  /** Neighbours and temperature of the weighted kNN: the run's knnK and knnTemperature. */
  k: number;
  temperature: number;
  /** Stage messages and overall progress 0..1. */
  onProgress?: (fraction: number, message: string) => void;
}

export interface TransferResult {
  /** Weighted kNN on the other dataset's test split against its training split (fractions). */
  knnTop1: number;
  knnTop5: number;
  /** The linear probe on the other dataset (fractions). */
  probeTop1: number;
  probeTop5: number;
  probeTrainTop1: number;
  trainImages: number;
  testImages: number;
  seconds: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The frozen encoder's L2-normalised eval-mode features of a transfer dataset's labelled training and
 * test splits (eval/features.ts), normalised with the dataset's statistics: the run's, after
 * transferDataset. The caller disposes them.
 */
export function transferFeatures(
  encoder: Backbone,
  dataset: Dataset,
): { train: tf.Tensor2D; test: tf.Tensor2D } {
  const train = extractFeatures(encoder, evalTrainSplit(dataset), dataset.mean, dataset.std);
  try {
    return { train, test: extractFeatures(encoder, dataset.test, dataset.mean, dataset.std) };
  } catch (e) {
    train.dispose();
    throw e;
  }
}

/**
 * Judges `encoder`, frozen, on a dataset prepared by transferDataset: its features of both splits once,
 * then weighted kNN and the linear probe on them.
 */
export async function evaluateTransfer(
  encoder: Backbone,
  dataset: Dataset,
  options: TransferOptions,
): Promise<TransferResult> {
  checkTransferTarget(dataset);
  const started = performance.now();
  const report = options.onProgress ?? (() => {});
  const train = evalTrainSplit(dataset);
  const test = dataset.test;
  report(0, `transfer to ${dataset.name}: features of ${train.count} training and ${test.count} test images`);
  await yieldToEventLoop();
  const features = transferFeatures(encoder, dataset);
  try {
    report(0.4, `transfer to ${dataset.name}: weighted kNN (k = ${options.k})`);
    await yieldToEventLoop();
    const knn = weightedKnn(features.train, train.labels!, features.test, test.labels!, {
      k: options.k,
      temperature: options.temperature,
      numClasses: dataset.classNames.length,
    });
    const probe = await probeEncoder(encoder, dataset, {
      features,
      onProgress: (f, message) => report(0.5 + 0.5 * f, `transfer to ${dataset.name}: ${message}`),
    });
    return {
      knnTop1: knn.top1,
      knnTop5: knn.top5,
      probeTop1: probe.top1,
      probeTop5: probe.top5,
      probeTrainTop1: probe.trainTop1,
      trainImages: train.count,
      testImages: test.count,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    features.train.dispose();
    features.test.dispose();
  }
}
