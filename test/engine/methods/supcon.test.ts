import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { describeMethod, getMethod } from '../../../src-main/engine/methods';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('supcon', () => {
  it('trains one epoch on the labelled synthetic dataset without NaN/Inf', async () => {
    expectHealthyRun(await trainTiny('supcon'));
  });

  it('says it needs labels, and its step refuses a batch without them', () => {
    const m = getMethod('supcon');
    expect(m.needsLabels).toBe(true);
    expect(describeMethod(m).needsLabels).toBe(true);
    expect(m.idea).toMatch(/labelled dataset/);
    const { instance, config } = createInstance('supcon', {});
    const batch = { ...randomBatch('supcon', config, [0, 1, 2, 3]), labels: null };
    expect(() => tf.tidy(() => instance.step(batch, ctxAt(0)).loss)).toThrow(
      /supcon needs a labelled dataset/,
    );
    tf.dispose(batch.views);
    instance.dispose();
  });
});
