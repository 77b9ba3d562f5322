import * as tf from '@tensorflow/tfjs-core';

export interface KnnResult {
  top1: number;
  top5: number;
}

/**
 * Weighted k-nearest-neighbour classification (Wu et al. 2018, §3.4 / eq. 9): each of the k most
 * cosine-similar training samples votes for its class with weight exp(s/τ); the class with the
 * largest total wins. Features must already be L2-normalised.
 */
export function weightedKnn(
  trainFeatures: tf.Tensor2D,
  trainLabels: Int32Array,
  testFeatures: tf.Tensor2D,
  testLabels: Int32Array,
  options: { k: number; temperature: number; numClasses: number; chunk?: number },
): KnnResult {
  const k = Math.min(options.k, trainFeatures.shape[0]);
  const chunk = options.chunk ?? 256;
  const labels = tf.tensor1d(trainLabels, 'int32');
  let correct1 = 0;
  let correct5 = 0;
  const n = testFeatures.shape[0];
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const ranking = tf.tidy(() => {
      const q = tf.slice(testFeatures, [start, 0], [size, -1]);
      const sim = tf.matMul(q, trainFeatures, false, true);
      const { values, indices } = tf.topk(sim, k);
      const neighbourLabels = tf.gather(labels, indices);
      const weights = tf.exp(tf.div(values, options.temperature));
      const votes = tf.sum(
        tf.mul(tf.oneHot(neighbourLabels, options.numClasses), tf.expandDims(weights, 2)),
        1,
      );
      return tf.topk(votes, Math.min(5, options.numClasses)).indices;
    });
    const ranked = ranking.arraySync() as number[][];
    ranking.dispose();
    ranked.forEach((row, i) => {
      const y = testLabels[start + i]!;
      if (row[0] === y) correct1++;
      if (row.includes(y)) correct5++;
    });
  }
  labels.dispose();
  return { top1: correct1 / n, top5: correct5 / n };
}
