import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { createInstance, maxAbsDiff, randomBatch } from './method-harness';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('the method test harness', () => {
  // Tests compare backends and steps on these batches, so they must not change between calls.
  it('draws the same random views for the same seed, the default seed 0 included', () => {
    const { instance, config } = createInstance('simclr', {});
    for (const seed of [0, 3]) {
      const a = randomBatch('simclr', config, [0, 1, 2, 3], seed);
      const b = randomBatch('simclr', config, [0, 1, 2, 3], seed);
      a.views.forEach((view, i) => expect(maxAbsDiff(view, b.views[i]!)).toBe(0));
      tf.dispose([...a.views, ...b.views]);
    }
    instance.dispose();
  });
});
