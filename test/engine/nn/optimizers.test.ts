import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, isDecayExempt } from '../../../src-main/engine/nn/optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('optimisers', () => {
  it('SGD follows torch.optim.SGD: v ← μv + g + λw, w ← w − ηv', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = createOptimizer([['layer.weight', w]], { id: 'sgd', momentum: 0.9, weightDecay: 0.1 });
    const g = tf.tensor1d([0.5, 0.5]);
    opt.step([g], 0.1);
    // v = g + 0.1 w = [0.6, 0.3]; w = w − 0.1 v
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.94, 6), expect.closeTo(-2.03, 6)]);
    opt.step([g], 0.1);
    // v = 0.9 [0.6, 0.3] + g + 0.1 w = [0.54 + 0.5 + 0.094, 0.27 + 0.5 − 0.203]
    expect(Array.from(w.dataSync())).toEqual([
      expect.closeTo(0.94 - 0.1134, 5),
      expect.closeTo(-2.03 - 0.0567, 5),
    ]);
    opt.dispose();
  });

  it('SGD with Nesterov momentum steps by g + λw + μv (torch.optim.SGD nesterov=True)', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const settings = { id: 'sgd', momentum: 0.9, weightDecay: 0.1, nesterov: true } as const;
    const opt = createOptimizer([['layer.weight', w]], settings);
    const g = tf.tensor1d([0.5, 0.5]);
    opt.step([g], 0.1);
    // g' = g + 0.1 w = [0.6, 0.3] = v; step = g' + 0.9 v = [1.14, 0.57]
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.886, 6), expect.closeTo(-2.057, 6)]);
    opt.step([g], 0.1);
    // g' = [0.5886, 0.2943]; v = 0.9 [0.6, 0.3] + g' = [1.1286, 0.5643]; step = g' + 0.9 v
    expect(Array.from(w.dataSync())).toEqual([
      expect.closeTo(0.886 - 0.1 * (0.5886 + 0.9 * 1.1286), 5),
      expect.closeTo(-2.057 - 0.1 * (0.2943 + 0.9 * 0.5643), 5),
    ]);
    opt.dispose();
  });

  it('SGD decays every parameter, or leaves biases and norms undecayed where asked', () => {
    for (const exemptNormsFromDecay of [false, true]) {
      const w = tf.variable(tf.tensor1d([1]));
      const b = tf.variable(tf.tensor1d([1]));
      const params: [string, tf.Variable][] = [
        ['fc.weight', w],
        ['bn.gamma', b],
      ];
      const opt = createOptimizer(params, { id: 'sgd', momentum: 0, weightDecay: 0.5, exemptNormsFromDecay });
      opt.step([tf.tensor1d([0]), tf.tensor1d([0])], 0.1);
      expect(w.dataSync()[0]).toBeCloseTo(0.95, 6);
      expect(b.dataSync()[0]).toBeCloseTo(exemptNormsFromDecay ? 1 : 0.95, 6);
      opt.dispose();
    }
  });

  it('AdamW decouples weight decay and skips it for biases and norms', () => {
    const w = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = createOptimizer(
      [
        ['fc.weight', w],
        ['fc.bias', b],
      ],
      { id: 'adamw', momentum: 0, weightDecay: 0.5 },
    );
    opt.step([tf.tensor1d([0]), tf.tensor1d([0])], 0.1);
    expect(w.dataSync()[0]).toBeCloseTo(0.95, 6);
    expect(b.dataSync()[0]).toBeCloseTo(1, 6);
    opt.dispose();
  });

  it('takes one learning rate per parameter (parameter groups) and a weight decay for the step', () => {
    for (const id of ['sgd', 'lars', 'adamw'] as const) {
      const a = tf.variable(tf.tensor1d([1, -1]));
      const b = tf.variable(tf.tensor1d([1, -1]));
      const opt = createOptimizer(
        [
          ['a.weight', a],
          ['b.weight', b],
        ],
        { id, momentum: 0, weightDecay: 0 },
      );
      const g = tf.tensor1d([0.5, 0.5]);
      opt.step([g, g], [0.1, 0], 0);
      expect(Array.from(b.dataSync()), id).toEqual([1, -1]);
      expect(Array.from(a.dataSync()), id).not.toEqual([1, -1]);
      tf.dispose([a, b, g]);
      opt.dispose();
    }
    // The step's decay replaces the settings' (DINO's schedule): AdamW w ← w(1 − ηλ) with λ = 0.5, not 0.
    const w = tf.variable(tf.tensor1d([1]));
    const opt = createOptimizer([['fc.weight', w]], { id: 'adamw', momentum: 0, weightDecay: 0 });
    opt.step([tf.tensor1d([0])], 0.1, 0.5);
    expect(w.dataSync()[0]).toBeCloseTo(0.95, 6);
    opt.dispose();
  });

  it('exempts biases and batch-norm parameters from decay', () => {
    expect(isDecayExempt('encoder.net.1.gamma')).toBe(true);
    expect(isDecayExempt('head.0.bias')).toBe(true);
    expect(isDecayExempt('head.0.weight')).toBe(false);
  });

  it('LARS scales each update by the trust ratio η‖w‖/‖g + λw‖', () => {
    const w = tf.variable(tf.tensor1d([3, 4]));
    const opt = createOptimizer([['fc.weight', w]], { id: 'lars', momentum: 0, weightDecay: 0 });
    opt.step([tf.tensor1d([0, 10])], 1);
    // trust = 0.001 · 5 / 10; update = trust · g = [0, 0.005]
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(3, 6), expect.closeTo(3.995, 6)]);
    opt.dispose();
    // A trust coefficient of 0.02 (solo-learn's CIFAR recipes) makes the same step 20 times longer.
    const w2 = tf.variable(tf.tensor1d([3, 4]));
    const opt2 = createOptimizer([['fc.weight', w2]], {
      id: 'lars',
      momentum: 0,
      weightDecay: 0,
      trustCoefficient: 0.02,
    });
    opt2.step([tf.tensor1d([0, 10])], 1);
    expect(Array.from(w2.dataSync())).toEqual([expect.closeTo(3, 6), expect.closeTo(3.9, 6)]);
    opt2.dispose();
  });
});
