import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import {
  expectOnly,
  makeTrainingState,
  restoreVariable,
  savedNumber,
  type Stateful,
  type TrainingState,
} from './training-state';

/**
 * MoCo's dictionary as a queue (He et al. 2020, Sec. 3.2): a FIFO ring buffer of K L2-normalised keys
 * [K, D] in one non-trainable tf.Variable. Enqueueing a batch of keys overwrites the oldest rows (the
 * "dequeue" of the paper's Algorithm 1, done in place, as the reference `_dequeue_and_enqueue`).
 * Like MoCo, the queue starts full of random unit vectors, so it can be used from the first step.
 */
export class KeyQueue implements Stateful {
  /** Storage order: a ring whose oldest row is at `pointer`. */
  private readonly buffer: tf.Variable;
  /** Next row to overwrite, i.e. the oldest key. */
  private ptr = 0;
  private enqueued = 0;

  constructor(
    readonly capacity: number,
    readonly dim: number,
    rng: Rng,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`KeyQueue: capacity must be ≥ 1`);
    const data = new Float32Array(capacity * dim);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    this.buffer = tf.tidy(() => {
      const init = tf.tensor2d(data, [capacity, dim]);
      const norm = tf.maximum(tf.norm(init, 2, 1, true), 1e-12);
      return tf.variable(tf.div(init, norm), false);
    });
  }

  /** All K keys in storage order (order does not matter for InfoNCE). Do not dispose. */
  get keys(): tf.Tensor2D {
    return this.buffer as unknown as tf.Tensor2D;
  }

  /** Index of the oldest row in `keys`. */
  get pointer(): number {
    return this.ptr;
  }

  /** Keys enqueued so far, capped at capacity (the rest are the random initial keys). */
  get filled(): number {
    return Math.min(this.enqueued, this.capacity);
  }

  /** The keys oldest first (a new tensor, for inspection and tests). */
  ordered(): tf.Tensor2D {
    return tf.tidy(() => {
      if (this.ptr === 0) return this.buffer.clone() as tf.Tensor2D;
      const newer = tf.slice(this.buffer, [0, 0], [this.ptr, this.dim]);
      const older = tf.slice(this.buffer, [this.ptr, 0], [this.capacity - this.ptr, this.dim]);
      return tf.concat([older, newer], 0) as tf.Tensor2D;
    });
  }

  /**
   * Appends `keys` [n, D] (already normalised) as the newest entries and drops the n oldest. With
   * n > K only the last K keys are kept. The keys are copied; the caller still owns its tensor.
   */
  enqueue(keys: tf.Tensor2D): void {
    const [n, d] = keys.shape;
    if (d !== this.dim) throw new Error(`KeyQueue: keys have ${d} dims, the queue ${this.dim}`);
    if (n === 0) return;
    tf.tidy(() => {
      const k = this.capacity;
      if (n >= k) {
        this.buffer.assign(tf.slice(keys, [n - k, 0], [k, d]));
        this.ptr = 0;
        return;
      }
      const first = Math.min(n, k - this.ptr);
      this.write(this.ptr, tf.slice(keys, [0, 0], [first, d]));
      if (first < n) this.write(0, tf.slice(keys, [first, 0], [n - first, d]));
      this.ptr = (this.ptr + n) % k;
    });
    this.enqueued += n;
  }

  /** The rows in storage order, the oldest row's index and the keys enqueued so far. */
  trainingState(): TrainingState {
    return makeTrainingState(
      [['keys', this.buffer]],
      [
        ['pointer', this.ptr],
        ['enqueued', this.enqueued],
      ],
    );
  }

  restoreTrainingState(state: TrainingState): void {
    expectOnly(state, ['keys'], ['pointer', 'enqueued']);
    const pointer = savedNumber(state, 'pointer');
    const enqueued = savedNumber(state, 'enqueued');
    if (!(Number.isInteger(pointer) && pointer >= 0 && pointer < this.capacity)) {
      throw new Error(`the saved queue pointer ${pointer} is outside 0…${this.capacity - 1}`);
    }
    restoreVariable(state, 'keys', this.buffer);
    this.ptr = pointer;
    this.enqueued = enqueued;
  }

  /** buffer[start : start + rows.length] ← rows, without wrapping. */
  private write(start: number, rows: tf.Tensor2D): void {
    const n = rows.shape[0];
    const parts: tf.Tensor[] = [];
    if (start > 0) parts.push(tf.slice(this.buffer, [0, 0], [start, this.dim]));
    parts.push(rows);
    const end = start + n;
    if (end < this.capacity) parts.push(tf.slice(this.buffer, [end, 0], [this.capacity - end, this.dim]));
    this.buffer.assign(parts.length === 1 ? parts[0]! : tf.concat(parts, 0));
  }

  dispose(): void {
    this.buffer.dispose();
  }
}
