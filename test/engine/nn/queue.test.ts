import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyQueue } from '../../../src-main/engine/nn/queue';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Rows [[v, −v], …] for v in `ids`, so each key is recognisable by its first column. */
const keys = (...ids: number[]) => tf.tensor2d(ids.map((v) => [v, -v]));
const firstColumn = (t: tf.Tensor2D) => {
  const ids = (t.arraySync() as number[][]).map((r) => r[0]!);
  t.dispose();
  return ids;
};

describe('KeyQueue', () => {
  it('starts full of random unit vectors, as MoCo initialises its queue', () => {
    const q = new KeyQueue(5, 3, new Rng(1));
    expect(q.keys.shape).toEqual([5, 3]);
    for (const n of Array.from(tf.norm(q.keys, 2, 1).dataSync())) expect(n).toBeCloseTo(1, 5);
    expect(q.filled).toBe(0);
    q.dispose();
  });

  it('is FIFO: enqueueing past capacity drops the oldest keys and keeps the order', () => {
    const q = new KeyQueue(6, 2, new Rng(1));
    q.enqueue(keys(1, 2));
    q.enqueue(keys(3, 4));
    q.enqueue(keys(5, 6));
    expect(firstColumn(q.ordered())).toEqual([1, 2, 3, 4, 5, 6]);
    q.enqueue(keys(7, 8));
    expect(firstColumn(q.ordered())).toEqual([3, 4, 5, 6, 7, 8]);
    q.enqueue(keys(9, 10));
    expect(firstColumn(q.ordered())).toEqual([5, 6, 7, 8, 9, 10]);
    expect(q.filled).toBe(6);
    q.dispose();
  });

  it('wraps batches that straddle the end of the ring, and keeps only the newest K of an oversized batch', () => {
    const q = new KeyQueue(5, 2, new Rng(1));
    q.enqueue(keys(1, 2, 3));
    q.enqueue(keys(4, 5, 6)); // 6 wraps to row 0
    expect(q.pointer).toBe(1);
    expect(firstColumn(q.ordered())).toEqual([2, 3, 4, 5, 6]);
    expect(firstColumn(q.keys.clone() as tf.Tensor2D)).toEqual([6, 2, 3, 4, 5]);
    q.enqueue(keys(10, 11, 12, 13, 14, 15, 16));
    expect(firstColumn(q.ordered())).toEqual([12, 13, 14, 15, 16]);
    q.dispose();
  });

  it('copies enqueued keys, rejects a wrong width, and leaks no tensors', () => {
    const q = new KeyQueue(4, 2, new Rng(1));
    const before = tf.memory().numTensors;
    const k = keys(1, 2);
    q.enqueue(k);
    k.dispose();
    expect(firstColumn(q.ordered()).slice(2)).toEqual([1, 2]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => q.enqueue(tf.zeros([1, 3]) as tf.Tensor2D)).toThrow(/dims/);
    q.dispose();
  });
});
