import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { evaluateLossFixture } from '../../../src-main/engine/losses';
import { ntXentLoss } from '../../../src-main/engine/losses/nt_xent';
import { ntXentLossWithQueue } from '../../../src-main/engine/losses/nt_xent_queue';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('nt_xent_queue', () => {
  it('queued negatives only add to NT-Xent', () => {
    const z1 = tf.randomNormal([6, 8], 0, 1, 'float32', 1) as tf.Tensor2D;
    const z2 = tf.randomNormal([6, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const queue = tf.randomNormal([10, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
    const plain = ntXentLoss(z1, z2, 0.5).dataSync()[0]!;
    const withQueue = ntXentLossWithQueue(
      z1,
      z2,
      tf.div(queue, tf.norm(queue, 2, 1, true)) as tf.Tensor2D,
      0.5,
    );
    expect(withQueue.dataSync()[0]!).toBeGreaterThan(plain);
    tf.dispose([z1, z2, queue, withQueue]);
  });

  it('takes the queue through its description; no gradient reaches it', () => {
    const [z1, z2, queue] = tf.tidy(() =>
      [tf.randomNormal([6, 8], 0, 1, 'float32', 1), tf.randomNormal([6, 8], 0, 1, 'float32', 2)]
        .concat([tf.randomNormal([10, 8], 0, 1, 'float32', 3)])
        .map((t) => t.arraySync() as number[][]),
    );
    const params = { temperature: 0.5 };
    const withQueue = evaluateLossFixture({ loss: 'nt_xent_queue', params, inputs: { z1, z2, queue } });
    const plain = evaluateLossFixture({ loss: 'nt_xent', params, inputs: { z1, z2 } });
    expect(Object.keys(withQueue.grads)).toEqual(['z1', 'z2', 'queue']);
    expect((withQueue.grads.queue as number[][]).flat().every((g) => g === 0)).toBe(true);
    expect(withQueue.loss).toBeGreaterThan(plain.loss);
  });
});
