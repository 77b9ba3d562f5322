import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeEncoder, trainLinearProbe } from '../../../src-main/engine/eval/linear-probe';
import type { Backbone } from '../../../src-main/engine/nn/backbones';
import type { Dataset } from '../../../src-main/engine/data/dataset';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** n points of `classes` Gaussian blobs in `dim` dimensions; blob means at ±`spread` on random axes. */
function blobs(n: number, dim: number, classes: number, spread: number, rng: Rng, means?: Float32Array) {
  const centres =
    means ??
    Float32Array.from({ length: classes * dim }, () => (rng.chance(0.5) ? spread : -spread) * rng.next());
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[y[i]! * dim + d]! + rng.normal();
  }
  return { x: tf.tensor2d(x, [n, dim]), y, centres };
}

describe('trainLinearProbe', () => {
  it('separates linearly separable classes almost perfectly, and reports progress', async () => {
    const rng = new Rng(1);
    // Blob means far apart relative to unit noise: the Bayes classifier is linear and near 100%.
    const train = blobs(400, 8, 4, 12, rng);
    const test = blobs(200, 8, 4, 12, rng, train.centres);
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const r = await trainLinearProbe(train.x, train.y, test.x, test.y, {
      numClasses: 4,
      epochs: 200,
      onProgress: (f, loss) => {
        expect(Number.isFinite(loss)).toBe(true);
        progress.push(f);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.trainTop1).toBeGreaterThan(0.98);
    expect(r.top1).toBeGreaterThan(0.98);
    // Four classes: the true one is always among the top 5.
    expect(r.top5).toBe(1);
    expect(r.trainLoss).toBeLessThan(0.2);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    tf.dispose([train.x, test.x]);
  });

  it('fits random labels on the training split but is at chance on the test split', async () => {
    const rng = new Rng(2);
    const classes = 10;
    // Features and labels independent of each other: 64 dimensions are enough to memorise 300 labels.
    const noise = (n: number, dim: number) =>
      tf.tensor2d(
        Float32Array.from({ length: n * dim }, () => rng.normal()),
        [n, dim],
      );
    const labels = (n: number) => Int32Array.from({ length: n }, () => rng.int(classes));
    const [trainX, testX] = [noise(300, 64), noise(3000, 64)];
    const [trainY, testY] = [labels(300), labels(3000)];
    const r = await trainLinearProbe(trainX, trainY, testX, testY, { numClasses: classes, epochs: 300 });
    expect(r.trainTop1).toBeGreaterThan(0.6);
    // Chance is 10% top-1 and 50% top-5; 3000 test points give standard errors of 0.55% and 0.9%.
    expect(Math.abs(r.top1 - 0.1)).toBeLessThan(0.025);
    expect(Math.abs(r.top5 - 0.5)).toBeLessThan(0.04);
    tf.dispose([trainX, testX]);
  });

  it('standardises with training statistics, so a constant or huge-scale feature does no harm', async () => {
    const rng = new Rng(3);
    const train = blobs(300, 4, 3, 10, rng);
    const test = blobs(150, 4, 3, 10, rng, train.centres);
    // Scale everything by 1000 and append a constant column: standardisation undoes both.
    const widen = (x: tf.Tensor2D) =>
      tf.tidy(() => tf.concat([tf.mul(x, 1000), tf.fill([x.shape[0], 1], 7)], 1) as tf.Tensor2D);
    const [a, b] = [widen(train.x), widen(test.x)];
    const r = await trainLinearProbe(a, train.y, b, test.y, { numClasses: 3, epochs: 150 });
    expect(Number.isFinite(r.trainLoss)).toBe(true);
    expect(r.top1).toBeGreaterThan(0.95);
    tf.dispose([train.x, test.x, a, b]);
  });

  it("trains with the papers' SGD too: separable classes, reproducible for a seed, batch order from it", async () => {
    const rng = new Rng(4);
    const train = blobs(300, 8, 4, 12, rng);
    const test = blobs(100, 8, 4, 12, rng, train.centres);
    const before = tf.memory().numTensors;
    const sgd = (seed: number) =>
      trainLinearProbe(train.x, train.y, test.x, test.y, {
        numClasses: 4,
        optimizer: 'sgd',
        epochs: 10,
        batchSize: 64,
        seed,
      });
    const [a, again, other] = [await sgd(1), await sgd(1), await sgd(2)];
    expect(tf.memory().numTensors).toBe(before);
    expect(a.top1).toBeGreaterThan(0.98);
    expect(again.trainLoss).toBe(a.trainLoss);
    // Another seed, other mini-batches: another path to (almost) the same classifier.
    expect(other.trainLoss).not.toBe(a.trainLoss);
    expect(Math.abs(other.trainLoss - a.trainLoss)).toBeLessThan(0.05);
    tf.dispose([train.x, test.x]);
  });

  it("takes SGD's first step with Nesterov momentum: θ₁ = −η(1 + μ)∇L(0)", async () => {
    const rng = new Rng(5);
    const train = blobs(50, 3, 2, 2, rng);
    const lr = 0.3;
    // One epoch of one batch: the cosine's first rate is the peak, and the buffer u = g.
    const r = await trainLinearProbe(train.x, train.y, train.x, train.y, {
      numClasses: 2,
      optimizer: 'sgd',
      epochs: 1,
      batchSize: 50,
      lr,
    });
    const expected = tf.tidy(() => {
      const { mean, variance } = tf.moments(train.x, 0);
      const x = tf.div(tf.sub(train.x, mean), tf.sqrt(variance)) as tf.Tensor2D;
      const y = tf.cast(tf.oneHot(tf.tensor1d(train.y, 'int32'), 2), 'float32') as tf.Tensor2D;
      // At W = 0, b = 0 every softmax is uniform: P − Y = 1/2 − Y.
      const residual = tf.sub(tf.scalar(0.5), y);
      const step = -lr * (1 + 0.9);
      const w = tf.mul(step, tf.div(tf.matMul(x, residual, true, false), 50));
      const b = tf.mul(step, tf.mean(residual, 0));
      const logits = tf.add(tf.matMul(x, w as tf.Tensor2D), b);
      return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))).dataSync()[0]!;
    });
    // No weight decay in the SGD recipe, so the loss is the cross-entropy alone.
    expect(r.trainLoss).toBeCloseTo(expected, 5);
    train.x.dispose();
  });

  it('rejects labels that do not match the rows', async () => {
    const x = tf.zeros([4, 2]) as tf.Tensor2D;
    await expect(
      trainLinearProbe(x, new Int32Array(3), x, new Int32Array(4), { numClasses: 2 }),
    ).rejects.toThrow(/labels/);
    x.dispose();
  });
});

describe('probeEncoder', () => {
  it('uses features the caller already has instead of running the encoder again, and leaves them alive', async () => {
    const rng = new Rng(3);
    const train = blobs(200, 6, 3, 12, rng);
    const test = blobs(90, 6, 3, 12, rng, train.centres);
    const split = (count: number, labels: Int32Array) => ({
      images: new Uint8Array(count * 3),
      labels,
      count,
    });
    const dataset = {
      name: 'blobs',
      classNames: ['a', 'b', 'c'],
      height: 1,
      width: 1,
      channels: 3,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      train: split(200, train.y),
      test: split(90, test.y),
    } as unknown as Dataset;
    const encoder = {
      forward: () => {
        throw new Error('the encoder must not run when features are given');
      },
    } as unknown as Backbone;
    const r = await probeEncoder(encoder, dataset, {
      features: { train: train.x, test: test.x },
      epochs: 100,
    });
    expect(r.top1).toBeGreaterThan(0.95);
    expect(train.x.isDisposed || test.x.isDisposed).toBe(false);
    tf.dispose([train.x, test.x]);
  });
});
