import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { evaluateLossFixture } from '../../../src-main/engine/losses';
import { swavLoss } from '../../../src-main/engine/losses/swav';
import { swavLossWithQueue } from '../../../src-main/engine/losses/swav_queue';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('swav_queue', () => {
  it('equals losses/swav when the queue is empty, and changes the codes when it is not', () => {
    const views = tf.randomNormal([3, 8, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
    const prototypes = tf.randomNormal([4, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    const options = { temperature: 0.1, epsilon: 0.05, sinkhornIterations: 3 };
    const a = swavLoss(views, prototypes, options);
    const b = swavLossWithQueue(views, prototypes, [null, null], options);
    expect(Math.abs(a.dataSync()[0]! - b.dataSync()[0]!)).toBeLessThan(1e-5);
    const queue = tf.randomNormal([16, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
    const c = swavLossWithQueue(views, prototypes, [queue, queue], options);
    expect(Number.isFinite(c.dataSync()[0]!)).toBe(true);
    expect(Math.abs(a.dataSync()[0]! - c.dataSync()[0]!)).toBeGreaterThan(1e-6);
    tf.dispose([views, prototypes, a, b, queue, c]);
  });

  const params = { temperature: 0.1, epsilon: 0.05, sinkhorn_iterations: 3 };
  const views = tf.tidy(() => tf.randomNormal([3, 8, 5], 0, 1, 'float32', 1).arraySync() as number[][][]);
  const prototypes = tf.tidy(() => tf.randomNormal([4, 5], 0, 1, 'float32', 2).arraySync() as number[][]);
  const queues = tf.tidy(() => tf.randomNormal([2, 16, 5], 0, 1, 'float32', 3).arraySync() as number[][][]);

  it('takes one queue per assignment crop through its description; no gradient reaches the queues', () => {
    const withQueues = evaluateLossFixture({
      loss: 'swav_queue',
      params,
      inputs: { views, prototypes, queues },
    });
    const without = evaluateLossFixture({ loss: 'swav_queue', params, inputs: { views, prototypes } });
    expect(Object.keys(withQueues.grads)).toEqual(['views', 'prototypes', 'queues']);
    expect(Object.keys(without.grads)).toEqual(['views', 'prototypes']);
    expect((withQueues.grads.queues as number[][][]).flat(2).every((g) => g === 0)).toBe(true);
    expect(Math.abs(withQueues.loss - without.loss)).toBeGreaterThan(1e-6);
  });

  it('rejects a number of queues other than the two assignment crops, in one line', () => {
    const three = [...queues, queues[0]!];
    expect(() =>
      evaluateLossFixture({ loss: 'swav_queue', params, inputs: { views, prototypes, queues: three } }),
    ).toThrow(/^Invalid swav_queue fixture: dimension A is 3, but must be 2/);
  });
});
