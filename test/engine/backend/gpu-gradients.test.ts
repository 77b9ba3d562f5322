import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { broadcastingGradient } from '../../../src-main/engine/backend/gpu-gradients';
import { vulkanDevice } from '../../../src-main/engine/backend/vulkan';

// The GPU backends' Sum/Mean gradients are tf ops, so they run on the cpu backend here (forced active) and
// are checked against tfjs's own gradients for the same function.
const cases: { op: 'sum' | 'mean'; shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { op: 'mean', shape: [4, 3, 3, 5], axis: [0, 1, 2], keepDims: false }, // batch-norm statistics
  { op: 'mean', shape: [4, 3, 3, 5], axis: [0, 1, 2], keepDims: true },
  { op: 'mean', shape: [6, 7], axis: -1, keepDims: false },
  { op: 'sum', shape: [4, 3, 3, 5], axis: [1, 2], keepDims: false },
  { op: 'sum', shape: [6, 7], axis: 0, keepDims: true },
];

function gradient(c: (typeof cases)[number], x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  const reduce = c.op === 'sum' ? tf.sum : tf.mean;
  // Weighting the reduced values makes dy non-uniform, so a wrong broadcast shows.
  return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t, c.axis, c.keepDims), weights)))(x);
}

describe('GPU Sum/Mean gradients (broadcast instead of ones())', () => {
  const originals = new Map<string, tf.GradConfig>();

  beforeAll(async () => {
    await initBackend('cpu');
    for (const name of [tf.Sum, tf.Mean]) originals.set(name, tf.getGradient(name));
  });

  afterEach(() => {
    for (const config of originals.values()) tf.registerGradient(config);
  });

  for (const c of cases) {
    it(`matches tfjs: ${c.op} over ${JSON.stringify(c.axis)} of [${c.shape}]${c.keepDims ? ', keepDims' : ''}`, () => {
      const x = tf.randomNormal(c.shape, 0, 1, 'float32', 3);
      const reducedShape = (c.op === 'sum' ? tf.sum : tf.mean)(x, c.axis, c.keepDims).shape;
      const weights = tf.randomNormal(reducedShape, 0, 1, 'float32', 4);
      const expected = gradient(c, x, weights);

      const name = c.op === 'sum' ? tf.Sum : tf.Mean;
      tf.registerGradient(broadcastingGradient(originals.get(name)!, c.op === 'mean', () => true));
      const actual = gradient(c, x, weights);

      expect(actual.shape).toEqual(c.shape);
      const diff = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]!;
      expect(tf.max(tf.abs(expected)).dataSync()[0]!).toBeGreaterThan(0);
      expect(diff).toBeLessThan(1e-6);
      tf.dispose([x, weights, expected, actual]);
    });
  }

  /** tfjs's Mean gradient, counting the calls that reach it (those the broadcast left to it). */
  function countingMeanGradient(): { config: tf.GradConfig; calls: () => number } {
    let calls = 0;
    const original = originals.get(tf.Mean)!;
    const config: tf.GradConfig = {
      ...original,
      gradFunc: (dy, saved, attrs) => {
        calls++;
        return original.gradFunc(dy, saved, attrs);
      },
    };
    return { config, calls: () => calls };
  }

  it('leaves other backends on tfjs gradient', () => {
    const counting = countingMeanGradient();
    tf.registerGradient(broadcastingGradient(counting.config, true)); // active only under webgpu and vulkan
    const x = tf.ones([2, 3]);
    tf.grad((t: tf.Tensor) => tf.mean(t))(x).dispose();
    expect(counting.calls()).toBe(1);
    x.dispose();
  });

  it.runIf(vulkanDevice().addon !== null)(
    'takes over under vulkan, with the values of tfjs gradient on the cpu',
    async () => {
      const counting = countingMeanGradient();
      const c = cases[0]!;
      const values = async (backend: 'cpu' | 'vulkan') => {
        await initBackend(backend);
        tf.registerGradient(broadcastingGradient(counting.config, true));
        const x = tf.randomNormal(c.shape, 0, 1, 'float32', 3);
        const weights = tf.randomNormal([c.shape.at(-1)!], 0, 1, 'float32', 4);
        const g = gradient(c, x, weights);
        const out = await g.data();
        tf.dispose([x, weights, g]);
        return out;
      };
      const onCpu = await values('cpu');
      expect(counting.calls()).toBe(1);
      const onVulkan = await values('vulkan');
      expect(counting.calls()).toBe(1); // the broadcast ran, not tfjs's gradient
      expect(Array.from(onVulkan).map((v, i) => Math.abs(v - onCpu[i]!))).toSatisfy((d: number[]) =>
        d.every((e) => e < 1e-6),
      );
      await initBackend('cpu');
    },
  );
});
