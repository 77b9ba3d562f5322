/**
 * The linear evaluation protocol of SimCLR (Chen et al. 2020, Sec. B.6) and MoCo (He et al. 2020,
 * Sec. 4.1): a linear classifier trained on frozen, non-augmented backbone features of the labelled
 * training split, reported as top-1 and top-5 accuracy on the test split.
 *
 * The classifier is multinomial logistic regression on standardised features (mean and std of the
 * training features, applied to both splits): logits z = xW + b, p = softmax(z), loss
 *   L = −(1/N) Σᵢ log p_{i,yᵢ} + (λ/2)‖W‖²,
 * whose gradient is analytic, ∂L/∂W = Xᵀ(P − Y)/N + λW and ∂L/∂b = mean(P − Y) (Y one-hot), so no
 * autodiff kernels are needed on any backend. Two optimisers, both with a cosine learning-rate decay to 0
 * and deterministic for given features: full-batch Adam (Kingma & Ba 2015, Alg. 1), the default, or the
 * papers' mini-batch SGD with Nesterov momentum over shuffled batches (domain/evaluation-card.ts gives
 * both recipes).
 */
import * as tf from '@tensorflow/tfjs-core';
import { linearProbeRecipe, sgdLinearProbeRecipe, type ProbeOptimizer } from '../../domain';
import type { Backbone } from '../nn/backbones';
import { evalTrainSplit, type Dataset } from '../data/dataset';
import { Rng } from '../util/rng';
import { extractFeatures } from './features';

export interface LinearProbeOptions {
  numClasses: number;
  /** 'adam' (default): full-batch Adam; 'sgd': the papers' mini-batch SGD with Nesterov momentum. */
  optimizer?: ProbeOptimizer;
  /** Adam's full-batch steps (default 300), or SGD's epochs over the features (default 100). */
  epochs?: number;
  /** Peak learning rate, decayed to 0 on a cosine (Adam 0.05; SGD 0.1 at batch 256). */
  lr?: number;
  /** L2 penalty λ on the weights (Adam 1e-4; SGD 0, as SimCLR). */
  weightDecay?: number;
  /** SGD's mini-batch (default 256, at most the training rows). */
  batchSize?: number;
  /** Seeds SGD's batch order (default 0). */
  seed?: number;
  /** Called now and then with the share of the epochs done (0..1). */
  onProgress?: (fraction: number, trainLoss: number) => void;
}

export interface LinearProbeResult {
  top1: number;
  top5: number;
  /** Accuracy on the training split itself (how well the classifier fits). */
  trainTop1: number;
  trainLoss: number;
  seconds: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Share of rows whose label is among the k largest logits; k = 1 and k = min(5, classes). */
function topK(logits: tf.Tensor2D, labels: tf.Tensor1D, k: number): number {
  return tf.tidy(() => {
    const { indices } = tf.topk(logits, Math.min(k, logits.shape[1]));
    const hit = tf.any(tf.equal(indices, tf.expandDims(labels, 1)), 1);
    return tf.mean(tf.cast(hit, 'float32')).dataSync()[0]!;
  });
}

/** Cosine decay from `peak` at step 0 to 0 after `total` steps (SGDR, Loshchilov & Hutter 2017, without restarts). */
const cosineRate = (peak: number, step: number, total: number) =>
  0.5 * peak * (1 + Math.cos((Math.PI * step) / total));

/** The analytic gradient of L on rows (x, y): [∂L/∂W, ∂L/∂b]. */
function gradients(x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Variable, b: tf.Variable, weightDecay: number) {
  const residual = tf.sub(tf.softmax(tf.add(tf.matMul(x, w), b)), y);
  return [
    tf.add(tf.div(tf.matMul(x, residual, true, false), x.shape[0]), tf.mul(weightDecay, w)),
    tf.mean(residual, 0),
  ];
}

/** Trains the probe on (trainX, trainY) and measures it on (testX, testY). Disposes nothing of the caller's. */
export async function trainLinearProbe(
  trainX: tf.Tensor2D,
  trainY: Int32Array,
  testX: tf.Tensor2D,
  testY: Int32Array,
  options: LinearProbeOptions,
): Promise<LinearProbeResult> {
  const started = performance.now();
  const sgd = options.optimizer === 'sgd';
  // The recipes every run's evaluation card states (domain/evaluation-card.ts).
  const {
    numClasses: c,
    epochs = sgd ? sgdLinearProbeRecipe.epochs : linearProbeRecipe.steps,
    lr = sgd ? sgdLinearProbeRecipe.learningRate : linearProbeRecipe.learningRate,
    weightDecay = sgd ? sgdLinearProbeRecipe.weightDecay : linearProbeRecipe.weightDecay,
  } = options;
  const [n, d] = trainX.shape;
  if (trainY.length !== n || testY.length !== testX.shape[0]) throw new Error('linear probe: labels ≠ rows');
  if (testX.shape[1] !== d) throw new Error('linear probe: train and test features differ in width');
  if (n === 0) throw new Error('linear probe: no training images');

  const [x, xTest, y, yTrain, yTest] = tf.tidy(() => {
    const { mean, variance } = tf.moments(trainX, 0);
    // A constant feature carries no information; dividing it by 1 keeps it at 0 instead of NaN.
    const std = tf.where(tf.less(variance, 1e-12), tf.onesLike(variance), tf.sqrt(variance));
    const yTrain = tf.tensor1d(trainY, 'int32');
    return [
      tf.div(tf.sub(trainX, mean), std) as tf.Tensor2D,
      tf.div(tf.sub(testX, mean), std) as tf.Tensor2D,
      tf.cast(tf.oneHot(yTrain, c), 'float32') as tf.Tensor2D,
      yTrain,
      tf.tensor1d(testY, 'int32'),
    ];
  });
  // tidy releases the zeros each variable is made from (variables themselves survive it).
  const zeros = (shape: number[]) => tf.tidy(() => tf.variable(tf.zeros(shape), false));
  const w = zeros([d, c]);
  const b = zeros([c]);
  // Adam's first and second moment estimates of each, or SGD's momentum buffer (in m).
  const slots = [w, b].map((v) => ({ v, m: zeros(v.shape), s: zeros(v.shape) }));
  const lossOf = (logits: tf.Tensor2D) =>
    tf.tidy(() => {
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
      return tf.add(ce, tf.mul(0.5 * weightDecay, tf.sum(tf.square(w)))).dataSync()[0]!;
    });

  /** Adam's step t (1-based) on the whole training set (Kingma & Ba 2015, Alg. 1; β₁ 0.9, β₂ 0.999, ε 1e-8). */
  const adamStep = (t: number) =>
    tf.tidy(() => {
      const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
      const rate = cosineRate(lr, t - 1, epochs);
      const grads = gradients(x, y, w, b, weightDecay);
      slots.forEach(({ v, m, s }, i) => {
        const g = grads[i]!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        s.assign(tf.add(tf.mul(s, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const mHat = tf.div(m, 1 - beta1 ** t);
        const sHat = tf.div(s, 1 - beta2 ** t);
        v.assign(tf.sub(v, tf.mul(rate, tf.div(mHat, tf.add(tf.sqrt(sHat), eps)))));
      });
    });

  // SGD: shuffled mini-batches, the last partial one kept so every row counts each epoch.
  const batchSize = Math.max(1, Math.min(n, options.batchSize ?? sgdLinearProbeRecipe.batchSize));
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const order = new Rng(options.seed ?? 0);
  let sgdSteps = 0;
  /**
   * One epoch of SGD with Nesterov momentum μ in PyTorch's form (torch.optim.SGD, nesterov=True, which
   * SimCLR's and MoCo's linear evaluations use): u ← μu + g, θ ← θ − η(g + μu); η on a cosine over steps.
   */
  const sgdEpoch = () => {
    const mu = sgdLinearProbeRecipe.momentum;
    const perm = order.permutation(n);
    for (let start = 0; start < n; start += batchSize) {
      const rate = cosineRate(lr, sgdSteps++, epochs * stepsPerEpoch);
      tf.tidy(() => {
        const rows = tf.tensor1d(perm.subarray(start, start + batchSize), 'int32');
        const grads = gradients(tf.gather(x, rows), tf.gather(y, rows), w, b, weightDecay);
        slots.forEach(({ v, m }, i) => {
          const g = grads[i]!;
          m.assign(tf.add(tf.mul(m, mu), g));
          v.assign(tf.sub(v, tf.mul(rate, tf.add(g, tf.mul(m, mu)))));
        });
      });
    }
  };

  try {
    const reportEvery = Math.max(1, Math.round(epochs / 20));
    for (let t = 1; t <= epochs; t++) {
      if (sgd) sgdEpoch();
      else adamStep(t);
      if (options.onProgress && (t % reportEvery === 0 || t === epochs)) {
        const loss = tf.tidy(() => lossOf(tf.add(tf.matMul(x, w), b) as tf.Tensor2D));
        options.onProgress(t / epochs, loss);
        await yieldToEventLoop();
      } else if (sgd) {
        // An SGD epoch is many dispatches: let the worker's messages through between epochs.
        await yieldToEventLoop();
      }
    }
    return tf.tidy(() => {
      const trainLogits = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
      const testLogits = tf.add(tf.matMul(xTest, w), b) as tf.Tensor2D;
      return {
        top1: testY.length ? topK(testLogits, yTest, 1) : 0,
        top5: testY.length ? topK(testLogits, yTest, 5) : 0,
        trainTop1: topK(trainLogits, yTrain, 1),
        trainLoss: lossOf(trainLogits),
        seconds: (performance.now() - started) / 1000,
      };
    });
  } finally {
    tf.dispose([x, xTest, y, yTrain, yTest, w, b, ...slots.flatMap(({ m, s }) => [m, s])]);
  }
}

export interface ProbeEncoderOptions extends Omit<LinearProbeOptions, 'numClasses' | 'onProgress'> {
  /** Stage messages and overall progress 0..1 (features, then training). */
  onProgress?: (fraction: number, message: string) => void;
  /**
   * This encoder's features of both splits, where the caller already has them (the training loop's last
   * kNN evaluation): they are used instead of extracting them again, and stay the caller's to dispose.
   */
  features?: { train: tf.Tensor2D; test: tf.Tensor2D };
}

/**
 * The full protocol on a dataset: features of both splits through the frozen encoder (eval mode, no
 * augmentation; eval/features.ts), then the probe. Needs labels on both splits.
 */
export async function probeEncoder(
  encoder: Backbone,
  dataset: Dataset,
  options: ProbeEncoderOptions = {},
): Promise<LinearProbeResult & { featureSeconds: number }> {
  const train = evalTrainSplit(dataset);
  const test = dataset.test;
  if (!train.labels || !test.labels) throw new Error(`dataset ${dataset.name} has no labels to probe with`);
  const report = options.onProgress ?? (() => {});
  const started = performance.now();
  const given = options.features;
  let trainX: tf.Tensor2D;
  let testX: tf.Tensor2D;
  if (given) {
    [trainX, testX] = [given.train, given.test];
  } else {
    report(0, `linear probe: features of ${train.count} training images`);
    await yieldToEventLoop();
    trainX = extractFeatures(encoder, train, dataset.mean, dataset.std);
    report(0.3, `linear probe: features of ${test.count} test images`);
    await yieldToEventLoop();
    testX = extractFeatures(encoder, test, dataset.mean, dataset.std);
  }
  const featureSeconds = (performance.now() - started) / 1000;
  report(0.4, `linear probe: training the classifier on ${trainX.shape[1]}-d features`);
  try {
    const result = await trainLinearProbe(trainX, train.labels, testX, test.labels, {
      ...options,
      numClasses: dataset.classNames.length,
      onProgress: (f, loss) =>
        report(0.4 + 0.6 * f, `linear probe: ${Math.round(100 * f)}% of the epochs, loss ${loss.toFixed(4)}`),
    });
    return { ...result, seconds: (performance.now() - started) / 1000, featureSeconds };
  } finally {
    if (!given) {
      trainX.dispose();
      testX.dispose();
    }
  }
}
