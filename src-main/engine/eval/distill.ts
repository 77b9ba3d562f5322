/**
 * Distillation through unlabelled examples (SimCLR v2, Chen et al. 2020b, Sec. 2, "self-training /
 * knowledge distillation via unlabeled examples"): a fine-tuned network (the teacher, eval/fine-tune.ts, kept
 * by its job: runner/fine-tuned-model.ts) is fixed and imputes soft labels for every training image; a
 * student, initialised at random, learns to predict them (losses/distillation.ts, Eq. 2), optionally with
 * the labelled share's own cross-entropy added (the weighted combination after Eq. 2). v2 distils into a
 * student of the same architecture ("self-distillation") or a smaller one; both are asked for by width here.
 *
 * The recipe, scaled to a CPU:
 * - the data: every image of the training split, its labels unused (for STL-10 its unlabelled split); with a
 *   label weight α < 1, each step also takes a batch of the teacher's labelled share (eval/label-subsets.ts);
 * - the teacher sees the student's augmented images, with batch norm in eval mode and no gradient;
 * - light augmentation, as the fine-tune's and v2's distillation: random resized crop and flip only;
 * - the student trains from scratch, so its optimiser is a from-scratch recipe rather than a fine-tune's:
 *   SGD with momentum 0.9, learning rate 0.1 per 128 images and weight decay 1e-4 on its weights (He et al.
 *   2016, Sec. 4.2, the CIFAR ResNets), decayed on a cosine to zero like the fine-tune; the classifier and
 *   biases and batch-norm parameters never decay.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../domain';
import { augmentBatch, normalize, toFloatBatch } from '../data/augment';
import { epochBatches } from '../data/batches';
import { evalTrainSplit, type Dataset, type ImageSplit } from '../data/dataset';
import { distillationLoss } from '../losses/distillation';
import { createBackbone, type Backbone, type BackboneId } from '../nn/backbones';
import type { NamedParameter, Optimizer } from '../nn/optimizers';
import { warmupCosine } from '../nn/schedule';
import { Rng } from '../util/rng';
import { LinearClassifier, lightAugment, logitsOf, parameterGroups, topK } from './fine-tune';
import type { LabelSubset } from './label-subsets';

/** A network with its linear classifier: the teacher, or the student. */
export interface Classifier {
  network: Backbone;
  classifier: LinearClassifier;
}

/** τ: v2 finds τ = 1 best (Sec. 2; Appendix, distillation with different temperatures). */
export const defaultDistillTemperature = 1;
/** α: 1 is distillation alone, v2's main results ("we only use the distillation loss", Sec. 2). */
export const defaultDistillLabelWeight = 1;
/** Images per step (of the training split; as many again from the labelled share when α < 1). */
export const defaultDistillBatchSize = 128;
/** Peak learning rate per 128 images (He et al. 2016, Sec. 4.2: 0.1 at a batch of 128). */
export const distillLrPer128 = 0.1;
/** L2 weight decay of the student's weights (He et al. 2016, Sec. 4.2). */
export const distillWeightDecay = 1e-4;
/** Seed of the student's initialisation, the data order and the augmentation: the same for every run. */
export const DISTILL_SEED = 0xd157_111e;

/**
 * Epochs over the training images when none are asked for: a student starts from random weights, so it
 * needs a training's length rather than a fine-tune's; by default as many epochs as the run's own
 * pre-training took.
 */
export function defaultDistillEpochs(runEpochs: number): number {
  return Math.max(1, Math.round(runEpochs));
}

/**
 * A fresh student: the run's backbone architecture at `width` (the teacher's or less), initialised at
 * random from `seed`, with a new zero-initialised linear classifier over the dataset's classes.
 */
export function createStudent(
  backbone: BackboneId,
  width: number,
  dataset: Dataset,
  seed = DISTILL_SEED,
): Classifier {
  const network = createBackbone(backbone, width, new Rng(seed), dataset.channels, dataset.height);
  return { network, classifier: new LinearClassifier(network.outputDim, dataset.classNames.length) };
}

export interface DistillOptions {
  /** τ of the teacher's and the student's softmax in the distillation term (default 1). */
  temperature?: number;
  /** α, the distillation term's weight; 1 − α weighs the labelled share's cross-entropy (default 1). */
  labelWeight?: number;
  /** The labelled share (the teacher's fine-tune subset of evalTrainSplit); needed when α < 1. */
  labelled?: LabelSubset;
  /** Epochs over the training split (default 1 here; the job's default is defaultDistillEpochs). */
  epochs?: number;
  /** Images per step (default 128, at most the training split's size). */
  batchSize?: number;
  /** Peak learning rate (default 0.1 × batch / 128), decayed on a cosine to 0. */
  lr?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** Weight decay of the student's weights (default 1e-4). */
  weightDecay?: number;
  /** Seed of the data order and the augmentation (default DISTILL_SEED). */
  seed?: number;
  onProgress?: (fraction: number, message: string) => void;
}

export interface DistillResult {
  /** The student's top-1 and top-5 on the test split (fractions). */
  top1: number;
  top5: number;
  /** The teacher's top-1 on the test split, for reference. */
  teacherTop1: number;
  /** Share of test images on which the student's prediction is the teacher's. */
  agreement: number;
  /** Mean loss of the last epoch's steps. */
  trainLoss: number;
  epochs: number;
  steps: number;
  /** Training images the student learnt from, and labelled images added (0 when α = 1). */
  images: number;
  labelledImages: number;
  seconds: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const allIndices = (count: number) => Int32Array.from({ length: count }, (_, i) => i);

/** The share of `indices` of `split` on which two classifiers' top-1 predictions agree (eval mode). */
export function agreement(
  a: Classifier,
  b: Classifier,
  dataset: Dataset,
  split: ImageSplit,
  indices: Int32Array = allIndices(split.count),
): number {
  const la = logitsOf(a.network, a.classifier, dataset, split, indices);
  const lb = logitsOf(b.network, b.classifier, dataset, split, indices);
  try {
    return sameTop1(la, lb);
  } finally {
    tf.dispose([la, lb]);
  }
}

/** The share of rows whose largest logit is in the same column. */
function sameTop1(a: tf.Tensor2D, b: tf.Tensor2D): number {
  return tf.tidy(
    () => tf.mean(tf.cast(tf.equal(tf.argMax(a, 1), tf.argMax(b, 1)), 'float32')).dataSync()[0]!,
  );
}

/**
 * Trains `student` (network and classifier, changed in place) against the fixed `teacher` on the training
 * split of `dataset`, then measures both on its test split. The teacher is never changed: its batch norm
 * runs in eval mode and no gradient reaches it.
 */
export async function distill(
  teacher: Classifier,
  student: Classifier,
  dataset: Dataset,
  options: DistillOptions = {},
): Promise<DistillResult> {
  const started = performance.now();
  const temperature = options.temperature ?? defaultDistillTemperature;
  const labelWeight = options.labelWeight ?? defaultDistillLabelWeight;
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new ConfigError(`the distillation temperature must be above 0, got ${temperature}`);
  }
  if (!(labelWeight >= 0 && labelWeight <= 1)) {
    throw new ConfigError(`the distillation's label weight must be from 0 to 1, got ${labelWeight}`);
  }
  const epochs = options.epochs ?? 1;
  if (!(Number.isInteger(epochs) && epochs >= 1)) {
    throw new ConfigError(`distillation epochs must be a positive integer, got ${epochs}`);
  }
  const train = dataset.train;
  const labelledSplit = evalTrainSplit(dataset);
  const subset = labelWeight < 1 ? options.labelled : undefined;
  if (labelWeight < 1 && (!subset || !labelledSplit.labels || subset.indices.length === 0)) {
    throw new ConfigError('a label weight below 1 needs the labelled share the teacher was fine-tuned on');
  }
  if (!dataset.test.labels || dataset.test.count === 0) {
    throw new ConfigError(`dataset ${dataset.name} has no labelled test images to measure the student on`);
  }
  // Batch norm in training mode needs two images or more in a batch.
  if (train.count < 2) throw new ConfigError(`distillation needs two training images, got ${train.count}`);
  const batchSize = Math.max(2, Math.min(options.batchSize ?? defaultDistillBatchSize, train.count));
  const labelledBatch = subset ? Math.min(batchSize, subset.indices.length) : 0;
  const lr = options.lr ?? (distillLrPer128 * batchSize) / 128;
  const momentum = options.momentum ?? 0.9;
  const weightDecay = options.weightDecay ?? distillWeightDecay;
  const augment = lightAugment(dataset.height);
  const rng = new Rng(options.seed ?? DISTILL_SEED);
  const stepsPerEpoch = Math.floor(train.count / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const report = options.onProgress ?? (() => {});

  const candidates: NamedParameter[] = [
    ...student.network.namedParameters('network.'),
    ...student.classifier.namedParameters('head.'),
  ];
  let groups: { params: NamedParameter[]; optimizer: Optimizer }[] | null = null;
  /** The labelled share in a fresh order each time it runs out. */
  let labelledOrder: Int32Array = new Int32Array(0);
  const nextLabelled = (): number[] => {
    const out: number[] = [];
    while (out.length < labelledBatch) {
      if (labelledOrder.length === 0) labelledOrder = rng.permutation(subset!.indices.length);
      out.push(subset!.indices[labelledOrder[0]!]!);
      labelledOrder = labelledOrder.subarray(1);
    }
    return out;
  };
  const lossOptions = { temperature, labelWeight };
  let trainLoss = 0;
  try {
    report(
      0,
      `distil into a fresh student on ${train.count} training images` +
        (subset ? ` and ${subset.indices.length} labelled ones` : '') +
        `: ${epochs} epochs of ${stepsPerEpoch} steps`,
    );
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      let epochLoss = 0;
      for (const batch of epochBatches(train.count, batchSize, rng, true)) {
        const extra = subset ? nextLabelled() : [];
        const { x, labels, mask } = tf.tidy(() => {
          let images = toFloatBatch(train, batch, dataset);
          if (extra.length) images = tf.concat([images, toFloatBatch(labelledSplit, extra, dataset)]);
          const rows = batch.length + extra.length;
          // The training split's rows are unlabelled here (mask 0); the labelled share's follow (mask 1).
          const y = new Int32Array(rows);
          const m = new Int32Array(rows);
          extra.forEach((i, k) => {
            y[batch.length + k] = labelledSplit.labels![i]!;
            m[batch.length + k] = 1;
          });
          return {
            x: normalize(augmentBatch(images, augment, rng), dataset.mean, dataset.std),
            labels: tf.tensor1d(y, 'int32'),
            mask: tf.tensor1d(m, 'int32'),
          };
        });
        // The teacher's logits of the same augmented images: eval mode, off the tape.
        const target = tf.tidy(
          () => teacher.classifier.forward(teacher.network.forward(x, false)) as tf.Tensor2D,
        );
        const { value, grads } = tf.variableGrads(
          () =>
            distillationLoss(
              student.classifier.forward(student.network.forward(x, true)) as tf.Tensor2D,
              target,
              lossOptions,
              extra.length ? labels : undefined,
              extra.length ? mask : undefined,
            ),
          candidates.map(([, v]) => v),
        );
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
        tf.dispose([
          x,
          labels,
          mask,
          target,
          value,
          ...Object.values(grads).filter((g): g is tf.Tensor => g !== null),
        ]);
        step++;
        report((0.9 * step) / totalSteps, `distil: epoch ${epoch + 1}/${epochs}, step ${step}/${totalSteps}`);
        await yieldToEventLoop();
      }
      trainLoss = epochLoss / stepsPerEpoch;
      report((0.9 * step) / totalSteps, `distil: epoch ${epoch + 1}/${epochs}, loss ${trainLoss.toFixed(4)}`);
    }

    report(0.9, `distil: the student's and the teacher's top-1 on ${dataset.test.count} test images`);
    await yieldToEventLoop();
    const test = dataset.test;
    const testLabels = test.labels!;
    const indices = allIndices(test.count);
    const studentLogits = logitsOf(student.network, student.classifier, dataset, test, indices);
    const teacherLogits = logitsOf(teacher.network, teacher.classifier, dataset, test, indices);
    try {
      const result: DistillResult = {
        top1: topK(studentLogits, testLabels, 1),
        top5: topK(studentLogits, testLabels, 5),
        teacherTop1: topK(teacherLogits, testLabels, 1),
        agreement: sameTop1(studentLogits, teacherLogits),
        trainLoss,
        epochs,
        steps: totalSteps,
        images: train.count,
        labelledImages: subset?.indices.length ?? 0,
        seconds: (performance.now() - started) / 1000,
      };
      report(
        1,
        `distil: student top-1 ${(100 * result.top1).toFixed(2)}%, top-5 ${(100 * result.top5).toFixed(2)}% ` +
          `(teacher top-1 ${(100 * result.teacherTop1).toFixed(2)}%)`,
      );
      return result;
    } finally {
      tf.dispose([studentLogits, teacherLogits]);
    }
  } finally {
    for (const g of groups ?? []) g.optimizer.dispose();
  }
}
