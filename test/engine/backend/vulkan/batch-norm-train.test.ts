import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  batchNormTrain,
  batchNormTrainSupported,
  BatchNormTrainGrad,
} from '../../../../src-main/engine/backend/kernels/batch-norm-train';
import { fusedBatchNormWithGrads } from '../batch-norm-cases';
import { compareVulkanToCpu, dispatchesOf, evaluateOn, vulkanAvailable } from './vulkan-helpers';

describe.runIf(vulkanAvailable)('fused batch-norm training kernels on vulkan match the cpu backend', () => {
  it('are the path the layers take on vulkan, three dispatches forward and three backward', async () => {
    await evaluateOn('vulkan', () => []);
    expect(batchNormTrainSupported()).toBe(true);
    tf.tidy(() => {
      const x = tf.randomNormal([4, 5, 5, 8], 0, 1, 'float32', 1);
      const [gamma, beta] = [tf.ones([8]), tf.zeros([8])];
      let out = { y: x, mean: gamma, variance: gamma };
      expect(dispatchesOf(() => (out = batchNormTrain(x, gamma, beta, 1e-5, true)))).toBe(3);
      const inputs = { dy: x, x, y: out.y, gamma, mean: out.mean, variance: out.variance };
      const attrs = { epsilon: 1e-5, relu: true, residual: false };
      expect(dispatchesOf(() => tf.engine().runKernel(BatchNormTrainGrad, inputs, attrs))).toBe(3);
    });
  });

  // [shape, ReLU, residual, offset of every channel]; the sums pass cuts rows into at most 1024 chunks
  // of at least 64 rows, in blocks of 32 channels.
  const cases: [string, number[], boolean, boolean, number][] = [
    ['plain, C = 9, fewer rows than a chunk', [2, 3, 5, 9], false, false, 1],
    ['+ ReLU, C = 16', [6, 7, 5, 16], true, false, 1],
    ['+ residual + ReLU, C = 7, a partial last chunk', [4, 9, 9, 7], true, true, 1],
    [
      '+ residual + ReLU, C = 33: two channel blocks, the second of one channel',
      [8, 6, 6, 33],
      true,
      true,
      1,
    ],
    ['[N, D] + ReLU, D = 1024, six rows', [6, 1024], true, false, 1],
    ['+ ReLU, 65,536 rows: 1024 chunks of 64', [64, 32, 32, 4], true, false, 1],
    ['plain, 99,000 rows: 1021 chunks of 97 rows, the last of 60', [100, 30, 33, 3], false, false, 1],
    ['+ ReLU, every channel offset by 1000 (σ ≈ 1)', [16, 8, 8, 12], true, false, 1000],
  ];
  for (const [name, shape, relu, residual, offset] of cases) {
    it(
      name,
      async () => {
        const { error, fellBack } = await compareVulkanToCpu(() =>
          fusedBatchNormWithGrads(shape, relu, residual, offset),
        );
        // The inputs' channel scales come from tf.linspace, which has no shader; the kernels all do.
        expect(fellBack.filter((k) => k !== 'LinSpace')).toEqual([]);
        expect(error).toBeLessThan(2e-5);
      },
      60_000,
    );
  }
});
