import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../losses/common';
import { makeTrainingState, variablesState, type Stateful, type TrainingState } from '../nn/training-state';
import type { Rng } from '../util/rng';

/**
 * A memory bank: one L2-normalised feature per training image, indexed by the image's position in the
 * training split (InstDisc, Wu et al. 2018, Sec. 3.2; CMC keeps one bank per view, Tian et al. 2019, Sec. 3.2).
 * The rows start as random unit vectors and are updated outside the gradient scope, after the optimiser step.
 */
export class MemoryBank implements Stateful {
  readonly size: number;
  readonly dim: number;
  private readonly bank: tf.Variable;

  constructor(size: number, dim: number, rng: Rng) {
    if (!Number.isInteger(size) || size < 2)
      throw new Error(`memory bank needs at least 2 rows, got ${size}`);
    this.size = size;
    this.dim = dim;
    // Random unit vectors (Wu et al. 2018, Sec. 3.2: "we initialize all the representations in the memory bank
    // V as random unit vectors"): a standard normal draw is uniform in direction once normalised.
    const data = new Float32Array(size * dim);
    for (let i = 0; i < size; i++) {
      let sq = 0;
      for (let d = 0; d < dim; d++) {
        const x = rng.normal();
        data[i * dim + d] = x;
        sq += x * x;
      }
      const inv = 1 / Math.sqrt(Math.max(sq, 1e-24));
      for (let d = 0; d < dim; d++) data[i * dim + d]! *= inv;
    }
    const init = tf.tensor2d(data, [size, dim]);
    this.bank = tf.variable(init, false);
    init.dispose();
  }

  /** The whole bank [n, D] (a variable: losses stop its gradient; never dispose it). */
  get rows(): tf.Tensor2D {
    return this.bank as unknown as tf.Tensor2D;
  }

  /** Rows `indices` as a new [len, D] tensor. */
  gather(indices: ArrayLike<number>): tf.Tensor2D {
    return tf.tidy(() => tf.gather(this.bank, tf.tensor1d(Array.from(indices), 'int32')) as tf.Tensor2D);
  }

  /** Overwrites rows `indices` (distinct) with `rows` [len, D]; every other row is untouched. */
  setRows(indices: ArrayLike<number>, rows: tf.Tensor2D): void {
    if (rows.shape[0] !== indices.length || rows.shape[1] !== this.dim) {
      throw new Error(`memory bank: ${indices.length} indices but rows of shape [${rows.shape.join(', ')}]`);
    }
    tf.tidy(() => {
      const idx = tf.tensor2d(Array.from(indices), [indices.length, 1], 'int32');
      this.bank.assign(tf.tensorScatterUpdate(this.bank, idx, rows));
    });
  }

  /**
   * The bank update of Wu et al. 2018, Sec. 3.2 (and CMC's per-view banks): for each image b,
   * bank[i_b] ← normalize(m · bank[i_b] + (1 − m) · normalize(v_b)). Values only, no gradient.
   */
  momentumUpdate(indices: ArrayLike<number>, features: tf.Tensor2D, momentum: number): void {
    tf.tidy(() => {
      const old = this.gather(indices);
      const mixed = tf.add(tf.mul(old, momentum), tf.mul(l2Normalize(features), 1 - momentum));
      this.setRows(indices, l2Normalize(mixed) as tf.Tensor2D);
    });
  }

  /** Every row, as it stands after the last step's update. */
  trainingState(): TrainingState {
    return makeTrainingState([['rows', this.bank]]);
  }

  restoreTrainingState(state: TrainingState): void {
    variablesState([['rows', this.bank]]).restoreTrainingState(state);
  }

  dispose(): void {
    this.bank.dispose();
  }
}

/**
 * Noise indices [count, m], uniform over the n bank rows (the noise distribution P_n = 1/n of Wu et al. 2018,
 * Eq. 5), drawn with replacement as the released AliasMethod does; a row's own index may occur, as there.
 */
export function sampleNoiseIndices(rng: Rng, count: number, m: number, n: number): tf.Tensor2D {
  const idx = new Int32Array(count * m);
  for (let i = 0; i < idx.length; i++) idx[i] = rng.int(n);
  return tf.tensor2d(idx, [count, m], 'int32');
}

/**
 * Monte-Carlo estimate of the NCE normalising constant (Wu et al. 2018, Eq. 6):
 * Z ≈ n · mean of exp(v̂_b · bank_j / τ) over the batch and its m noise rows, plus each image's own row when
 * `ownIndex` [N] is given — the released NCEAverage averages all K+1 scores, positive included. Computed once
 * from the first batch and then kept fixed, as the paper and the released code do. Returns a plain number.
 */
export function estimateNceNormalizer(
  v: tf.Tensor2D,
  bank: tf.Tensor2D,
  noiseIndex: tf.Tensor2D,
  temperature: number,
  ownIndex?: tf.Tensor1D,
): number {
  const mean = tf.tidy(() => {
    const [batch, m] = noiseIndex.shape;
    const d = v.shape[1];
    const vn = l2Normalize(v);
    let rows = tf.reshape(tf.gather(bank, tf.reshape(noiseIndex, [-1])), [batch, m, d]);
    if (ownIndex) rows = tf.concat([tf.reshape(tf.gather(bank, ownIndex), [batch, 1, d]), rows], 1);
    const scores = tf.matMul(tf.reshape(vn, [batch, 1, d]), rows, false, true); // [N,1,m(+1)]
    return tf.mean(tf.exp(tf.div(scores, temperature)));
  });
  const value = mean.dataSync()[0]!;
  mean.dispose();
  return value * bank.shape[0];
}
