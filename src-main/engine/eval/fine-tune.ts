/**
 * Semi-supervised evaluation by fine-tuning (SimCLR, Chen et al. 2020, Sec. 7.1 and App. B.5; SimCLR v2,
 * Chen et al. 2020b, Sec. 2 and Appendix): the whole pre-trained network, with a new linear classifier on
 * top, is trained end to end on a class-balanced share of the labelled training split (eval/label-subsets.ts)
 * and reported as top-1 and top-5 on the test split. Unlike the linear probe (eval/linear-probe.ts), the
 * backbone changes: the question is how good a starting point the representation is when few labels exist.
 *
 * The recipe is the papers', scaled to a CPU:
 * - the network: the run's encoder; for SimCLR v2 the encoder followed by the projection-head layers up to
 *   `fineTuneFromLayer` (v2 Sec. 2: "fine-tuning from a middle layer of the projection head"), whose batch
 *   norms are fine-tuned with it;
 * - a new linear classifier, zero-initialised as the released SimCLR fine-tuning (`zero_init_logits_layer`),
 *   so every run starts from the same classifier and the first steps train the head alone;
 * - SGD with momentum 0.9 (v1 App. B.5: momentum 0.9, learning rate 0.05 × batch/256, no warm-up), a cosine
 *   decay to zero over the fine-tune, no regularisation (v1 App. B.5: "we do not use any regularization
 *   (including weight decay)"): no weight decay on the head ever, and none on the backbone unless asked;
 * - batch norm in training mode (its running statistics follow the fine-tuned network, for the test);
 * - light augmentation: random resized crop and horizontal flip only, no colour distortion (v1 App. B.5,
 *   v2 Appendix: "only random crop and horizontal flip of training images");
 * - a short schedule: 60 epochs of the subset for 1% of the labels, 30 for 10% (v1 App. B.5), 30 for more.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, defaultFineTuneEpochs, fineTuneRecipe, type AugmentConfig } from '../../domain';
import { augmentBatch, normalize, toFloatBatch } from '../data/augment';
import { epochBatches } from '../data/batches';
import { evalTrainSplit, type Dataset, type ImageSplit } from '../data/dataset';
import type { MethodInstance } from '../methods/method';
import { SimclrV2Instance } from '../methods/simclrv2';
import type { Backbone } from '../nn/backbones';
import { Module } from '../nn/module';
import { createOptimizer, isDecayExempt, type NamedParameter, type Optimizer } from '../nn/optimizers';
import { warmupCosine } from '../nn/schedule';
import { Rng } from '../util/rng';
import { formatPercent, labelSubset, LABEL_SUBSET_SEED, type LabelSubset } from './label-subsets';

/** Epochs over the subset when none are asked for (domain/job.ts): 60 below 10% of the labels, else 30. */
export { defaultFineTuneEpochs };

/** Images per step, at most the subset's size (v1/v2 fine-tune with 1024–4096; a CPU with fewer). */
export const defaultFineTuneBatchSize = fineTuneRecipe.batchSize;

/** The learning rate per 256 images of a batch (v1 App. B.5: LearningRate = 0.05 × BatchSize / 256). */
export const fineTuneLrPer256 = fineTuneRecipe.learningRatePer256;

/**
 * Light augmentation: random resized crop at the papers' scale (0.08, 1) and ratio (3/4, 4/3), then a
 * horizontal flip with probability 0.5; no colour jitter, grayscale, blur or solarisation.
 */
export function lightAugment(outputSize: number, cropScale: [number, number] = [0.08, 1]): AugmentConfig {
  return {
    outputSize,
    cropScale,
    cropRatio: [3 / 4, 4 / 3],
    flipProb: 0.5,
    jitterProb: 0,
    jitterStrength: 0,
    grayscaleProb: 0,
    blurProb: 0,
    blurSigma: [0.1, 2.0],
    solarizeProb: 0,
  };
}

/**
 * The network a method fine-tunes: SimCLR v2's encoder plus its head up to `fineTuneFromLayer`
 * (SimclrV2Instance.fineTuneEncoder; the encoder itself at layer 0), every other method's encoder.
 */
export function fineTuneNetwork(instance: MethodInstance): Backbone {
  return instance instanceof SimclrV2Instance ? instance.fineTuneEncoder : instance.encoder;
}

/**
 * The class-balanced subset a fine-tune at `labelPercent` trains on, from the labelled training split
 * (evalTrainSplit: STL-10's labelled images, not its unlabelled ones). One ConfigError line for a dataset
 * without labels on both splits, or a share that leaves a class without an image.
 */
export function fineTuneSubset(dataset: Dataset, labelPercent: number): LabelSubset {
  const train = evalTrainSplit(dataset);
  if (!train.labels || !dataset.test.labels || dataset.test.count === 0) {
    throw new ConfigError(
      `dataset ${dataset.name} has no labelled training and test images to fine-tune with`,
    );
  }
  return labelSubset(train.labels, dataset.classNames, labelPercent);
}

export interface FineTuneOptions {
  /** Share of the labelled training split, in percent (0 < p ≤ 100). */
  labelPercent: number;
  /** The subset, where the caller already drew it (fineTuneSubset); drawn here otherwise. */
  subset?: LabelSubset;
  /** Epochs over the subset (default defaultFineTuneEpochs). */
  epochs?: number;
  /** Images per step (default 64, at most the subset's size). */
  batchSize?: number;
  /** Peak learning rate, decayed on a cosine to 0 (default 0.05 × batch / 256). */
  lr?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** L2 weight decay of the backbone's weights (default 0); biases, batch norm and the head never decay. */
  backboneWeightDecay?: number;
  /** Area range of the random resized crop (default the papers' (0.08, 1)). */
  cropScale?: [number, number];
  /** Seed of the data order and the augmentation (default LABEL_SUBSET_SEED: the same for every run). */
  seed?: number;
  /** Stage messages and overall progress 0..1. */
  onProgress?: (fraction: number, message: string) => void;
  /**
   * Called once the fine-tuned network and its classifier are measured, before the classifier is disposed:
   * where they are kept as a teacher for distillation (runner/fine-tuned-model.ts).
   */
  onFinished?: (classifier: LinearClassifier) => Promise<void>;
}

export interface FineTuneResult {
  /** On the test split, after fine-tuning (fractions). */
  top1: number;
  top5: number;
  /** Accuracy on the labelled subset itself, un-augmented (how well the network fits it). */
  trainTop1: number;
  /** Mean cross-entropy of the last epoch's batches. */
  trainLoss: number;
  labelPercent: number;
  /** Images in the subset. */
  labelledImages: number;
  epochs: number;
  steps: number;
  seconds: number;
}

/** The new classifier: logits = xW + b, both starting at zero, trained with the network. */
export class LinearClassifier extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(inFeatures: number, classes: number) {
    super();
    this.weight = this.addParam('weight', tf.zeros([inFeatures, classes]));
    this.bias = this.addParam('bias', tf.zeros([classes]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D), this.bias);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Logits of every image of `split` at `indices`, un-augmented, batch norm in eval mode. */
export function logitsOf(
  network: Backbone,
  head: LinearClassifier,
  dataset: Dataset,
  split: ImageSplit,
  indices: Int32Array,
  batchSize = 256,
): tf.Tensor2D {
  const chunks: tf.Tensor2D[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const idx = indices.subarray(start, start + batchSize);
    chunks.push(
      tf.tidy(() => {
        const x = normalize(toFloatBatch(split, idx, dataset), dataset.mean, dataset.std);
        return head.forward(network.forward(x, false)) as tf.Tensor2D;
      }),
    );
  }
  const out = tf.concat(chunks, 0);
  chunks.forEach((c) => c.dispose());
  return out;
}

/** Share of rows whose label is among the k largest logits (k at most the number of classes). */
export function topK(logits: tf.Tensor2D, labels: Int32Array, k: number): number {
  if (labels.length === 0) return 0;
  return tf.tidy(() => {
    const { indices } = tf.topk(logits, Math.min(k, logits.shape[1]));
    const hit = tf.any(tf.equal(indices, tf.expandDims(tf.tensor1d(labels, 'int32'), 1)), 1);
    return tf.mean(tf.cast(hit, 'float32')).dataSync()[0]!;
  });
}

/**
 * Fine-tunes `network` (changed in place: its weights and batch-norm statistics) with a new linear
 * classifier on the class-balanced subset at `labelPercent` of the dataset's labelled training split, then
 * measures top-1 and top-5 on its test split. The data order and augmentation come from `seed`, so a
 * fine-tune of a given checkpoint is reproducible on a given backend.
 */
export async function fineTune(
  network: Backbone,
  dataset: Dataset,
  options: FineTuneOptions,
): Promise<FineTuneResult> {
  const started = performance.now();
  const { labelPercent } = options;
  const subset = options.subset ?? fineTuneSubset(dataset, labelPercent);
  const split = evalTrainSplit(dataset);
  const labels = split.labels!;
  const classes = dataset.classNames.length;
  const n = subset.indices.length;
  const epochs = options.epochs ?? defaultFineTuneEpochs(labelPercent);
  if (!(Number.isInteger(epochs) && epochs >= 1)) {
    throw new ConfigError(`fine-tune epochs must be a positive integer, got ${epochs}`);
  }
  // Batch norm in training mode needs two images or more in a batch to have a variance.
  if (n < 2)
    throw new ConfigError(
      `${formatPercent(labelPercent)} of the labels is ${n} image; fine-tuning needs two`,
    );
  const batchSize = Math.max(2, Math.min(options.batchSize ?? defaultFineTuneBatchSize, n));
  const lr = options.lr ?? (fineTuneLrPer256 * batchSize) / 256;
  const momentum = options.momentum ?? fineTuneRecipe.momentum;
  const weightDecay = options.backboneWeightDecay ?? 0;
  const augment = lightAugment(dataset.height, options.cropScale);
  const rng = new Rng(options.seed ?? LABEL_SUBSET_SEED);
  // Whole batches only (the last, short one of an epoch is skipped): batch statistics stay comparable.
  const stepsPerEpoch = Math.floor(n / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const report = options.onProgress ?? (() => {});
  const share = formatPercent(labelPercent);

  const head = new LinearClassifier(network.outputDim, classes);
  const candidates: NamedParameter[] = [
    ...network.namedParameters('network.'),
    ...head.namedParameters('head.'),
  ];
  /** Built at the first step, from the parameters the forward pass reaches (see below). */
  let groups: { params: NamedParameter[]; optimizer: Optimizer }[] | null = null;
  let trainLoss = 0;
  try {
    report(
      0,
      `fine-tune on ${share} of the labels (${n} images): ${epochs} epochs of ${stepsPerEpoch} steps`,
    );
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      let epochLoss = 0;
      for (const batch of epochBatches(n, batchSize, rng, true)) {
        const indices = batch.map((k) => subset.indices[k]!);
        const [x, y] = tf.tidy(() => {
          const images = augmentBatch(toFloatBatch(split, indices, dataset), augment, rng);
          const batchLabels = tf.tensor1d(
            indices.map((i) => labels[i]!),
            'int32',
          );
          return [
            normalize(images, dataset.mean, dataset.std),
            tf.cast(tf.oneHot(batchLabels, classes), 'float32') as tf.Tensor2D,
          ];
        });
        // The cross-entropy of the softmax over the classes, under the gradient tape.
        const { value, grads } = tf.variableGrads(
          () => {
            const logits = head.forward(network.forward(x, true)) as tf.Tensor2D;
            return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
          },
          candidates.map(([, v]) => v),
        );
        // The parameters the forward pass reaches: SimCLR v2's network holds its whole projection head, of
        // which only the layers up to fineTuneFromLayer are used (and get a gradient).
        groups ??= parameterGroups(
          candidates.filter(([, v]) => grads[v.name]),
          momentum,
          weightDecay,
        );
        const rate = warmupCosine(step, totalSteps, 0, lr);
        for (const g of groups) {
          g.optimizer.step(
            g.params.map(([, v]) => grads[v.name]!),
            rate,
          );
        }
        epochLoss += (await value.data())[0]!;
        tf.dispose([x, y, value, ...Object.values(grads).filter((g): g is tf.Tensor => g !== null)]);
        step++;
        report(
          (0.9 * step) / totalSteps,
          `fine-tune on ${share} of the labels: epoch ${epoch + 1}/${epochs}, step ${step}/${totalSteps}`,
        );
        await yieldToEventLoop();
      }
      trainLoss = epochLoss / stepsPerEpoch;
      report(
        (0.9 * step) / totalSteps,
        `fine-tune on ${share} of the labels: epoch ${epoch + 1}/${epochs}, loss ${trainLoss.toFixed(4)}`,
      );
    }

    report(0.9, `fine-tune: top-1 and top-5 on ${dataset.test.count} test images`);
    await yieldToEventLoop();
    const testIndices = Int32Array.from({ length: dataset.test.count }, (_, i) => i);
    const testLogits = logitsOf(network, head, dataset, dataset.test, testIndices);
    const trainLogits = logitsOf(network, head, dataset, split, subset.indices);
    try {
      const trainLabels = Int32Array.from(subset.indices, (i) => labels[i]!);
      const result: FineTuneResult = {
        top1: topK(testLogits, dataset.test.labels!, 1),
        top5: topK(testLogits, dataset.test.labels!, 5),
        trainTop1: topK(trainLogits, trainLabels, 1),
        trainLoss,
        labelPercent,
        labelledImages: n,
        epochs,
        steps: totalSteps,
        seconds: (performance.now() - started) / 1000,
      };
      await options.onFinished?.(head);
      report(
        1,
        `fine-tune: top-1 ${(100 * result.top1).toFixed(2)}%, top-5 ${(100 * result.top5).toFixed(2)}%`,
      );
      return result;
    } finally {
      testLogits.dispose();
      trainLogits.dispose();
    }
  } finally {
    head.dispose();
    for (const g of groups ?? []) g.optimizer.dispose();
  }
}

/**
 * SGD with momentum in two groups: the backbone's weights, with `weightDecay`, and everything never
 * decayed (the new head, v1 App. B.5 and v2; biases and batch-norm parameters, v1 App. B.1).
 */
export function parameterGroups(
  params: NamedParameter[],
  momentum: number,
  weightDecay: number,
): { params: NamedParameter[]; optimizer: Optimizer }[] {
  const decayed = params.filter(
    ([name]) => weightDecay > 0 && name.startsWith('network.') && !isDecayExempt(name),
  );
  const plain = params.filter((p) => !decayed.includes(p));
  return [
    { params: decayed, decay: weightDecay },
    { params: plain, decay: 0 },
  ]
    .filter((g) => g.params.length > 0)
    .map((g) => ({
      params: g.params,
      optimizer: createOptimizer(g.params, { id: 'sgd', momentum, weightDecay: g.decay }),
    }));
}
