import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedParameter } from '../../../src-main/engine/nn/optimizers';
import { parameterLearningRates } from '../../../src-main/engine/nn/parameter-groups';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('parameter groups', () => {
  const v = tf.tidy(() => tf.variable(tf.zeros([1])));
  const params: NamedParameter[] = [
    ['online.backbone.conv.weight', v],
    ['predictor.0.weight', v],
    ['predictor.0.bias', v],
  ];
  const rates = { lr: 0.01, peakLr: 0.05 };

  it('gives each parameter its first matching group’s rate, and the schedule’s to the rest', () => {
    expect(parameterLearningRates(params, [{ prefix: 'predictor.', lr: 'fixed' }], rates)).toEqual([
      0.01, 0.05, 0.05,
    ]);
    const firstWins = [
      { prefix: 'predictor.0.b', lr: 'scheduled' as const },
      { prefix: 'predictor.', lr: 'fixed' as const },
    ];
    expect(parameterLearningRates(params, firstWins, rates)).toEqual([0.01, 0.05, 0.01]);
  });

  it('refuses a group that names no parameter', () => {
    expect(() => parameterLearningRates(params, [{ prefix: 'projector.', lr: 'fixed' }], rates)).toThrow(
      /"projector\." matches no trainable parameter/,
    );
  });
});
