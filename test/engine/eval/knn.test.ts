import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { weightedKnn } from '../../../src-main/engine/eval/knn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Unit vectors on the circle at the given angles (degrees): cosine similarity is cos(Δangle). */
const circle = (...degrees: number[]) =>
  tf.tensor2d(degrees.map((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]));

function knn(
  train: number[],
  trainLabels: number[],
  test: number[],
  testLabels: number[],
  options: { k: number; temperature: number; numClasses: number; chunk?: number },
) {
  const [x, q] = [circle(...train), circle(...test)];
  try {
    return weightedKnn(x, Int32Array.from(trainLabels), q, Int32Array.from(testLabels), options);
  } finally {
    tf.dispose([x, q]);
  }
}

describe('weighted kNN (InstDisc, Wu et al. 2018, eq. 9)', () => {
  // Query at 10°: neighbours 0° (label 0, cos 10°), 60° and 70° (label 1, cos 50° and cos 60°); 180° is far.
  const train = [0, 60, 70, 180];
  const labels = [0, 1, 1, 2];

  it('weights each vote by exp(s/τ): a sharp τ lets the one close neighbour outvote two far ones', () => {
    const cos = (d: number) => Math.cos((d * Math.PI) / 180);
    // By hand: τ = 0.1 gives class 0 exp(9.85) ≈ 18900 against exp(6.43) + exp(5) ≈ 770 for class 1.
    expect(Math.exp(cos(10) / 0.1)).toBeGreaterThan(Math.exp(cos(50) / 0.1) + Math.exp(cos(60) / 0.1));
    const sharp = knn(train, labels, [10], [0], { k: 3, temperature: 0.1, numClasses: 3 });
    expect(sharp.top1).toBe(1);
    // τ = 10 makes the weights nearly equal (1.10 against 1.07 + 1.05): the majority, class 1, wins.
    expect(Math.exp(cos(10) / 10)).toBeLessThan(Math.exp(cos(50) / 10) + Math.exp(cos(60) / 10));
    const flat = knn(train, labels, [10], [0], { k: 3, temperature: 10, numClasses: 3 });
    expect(flat.top1).toBe(0);
    // k = 1 is plain nearest-neighbour classification, whatever τ.
    expect(knn(train, labels, [10], [0], { k: 1, temperature: 10, numClasses: 3 }).top1).toBe(1);
  });

  it('top-5 counts a label among the five heaviest classes; k larger than the training set is clamped', () => {
    // Five neighbours of five classes at 0°…40° and a far one; seven classes in all.
    const trainAngles = [0, 10, 20, 30, 40, 180];
    const trainLabels = [0, 1, 2, 3, 4, 5];
    // 0° labelled 4: class 4 is the fifth heaviest (top-5 only). 0° labelled 6: no vote at all.
    // 28° labelled 3: its nearest neighbour (30°) wins (top-1 and top-5).
    const r = knn(trainAngles, trainLabels, [0, 0, 28], [4, 6, 3], { k: 5, temperature: 0.1, numClasses: 7 });
    expect(r.top1).toBeCloseTo(1 / 3, 12);
    expect(r.top5).toBeCloseTo(2 / 3, 12);
    // Chunks of one query give the same answer as one chunk.
    const chunked = knn(trainAngles, trainLabels, [0, 0, 28], [4, 6, 3], {
      k: 5,
      temperature: 0.1,
      numClasses: 7,
      chunk: 1,
    });
    expect(chunked).toEqual(r);
    const all = knn(trainAngles, trainLabels, [28], [3], { k: 50, temperature: 0.1, numClasses: 7 });
    expect(all).toEqual({ top1: 1, top5: 1 });
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    knn(train, labels, [10, 65], [0, 1], { k: 3, temperature: 0.1, numClasses: 3, chunk: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
