import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { AdamWUpdate, adamWUpdate } from '../../../../src-main/engine/backend/kernels/adamw-update';
import { EmaUpdate, emaUpdate } from '../../../../src-main/engine/backend/kernels/ema-update';
import { LarsUpdate, larsUpdate } from '../../../../src-main/engine/backend/kernels/lars-update';
import { ScaledSum, scaledSum } from '../../../../src-main/engine/backend/kernels/scaled-sum';
import { SgdUpdate, sgdUpdate } from '../../../../src-main/engine/backend/kernels/sgd-update';
import { momentumUpdate } from '../../../../src-main/engine/nn/momentum';
import { BatchNorm, Linear } from '../../../../src-main/engine/nn/layers';
import {
  createOptimizer,
  type NamedParameter,
  type OptimizerId,
  type OptimizerSettings,
} from '../../../../src-main/engine/nn/optimizers';
import { Rng } from '../../../../src-main/engine/util/rng';
import { compareVulkanToCpu, dispatchesOf, evaluateOn, vulkanAvailable } from './vulkan-helpers';

const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/**
 * The optimisers' updates, the momentum (EMA) update and batch norm's running statistics each run as
 * one kernel per tensor on vulkan (LARS as two dispatches), where the cpu composes three to eighteen
 * tfjs ops. Where the shader
 * rounds as those ops do (SGD, EMA: `precise`, no fused multiply-add) the result is the cpu's bit for
 * bit; AdamW's division and square root and LARS's norms (summed in another order) are close.
 */
describe.runIf(vulkanAvailable)('parameter and statistics updates on vulkan, one kernel per tensor', () => {
  it('are kernels of the vulkan backend, one dispatch each (LARS two)', async () => {
    await evaluateOn('vulkan', () => []);
    for (const name of [SgdUpdate, LarsUpdate, AdamWUpdate, EmaUpdate, ScaledSum]) {
      expect(tf.getKernel(name, 'vulkan'), name).toBeDefined();
    }
    tf.tidy(() => {
      const [w, v, g] = [normal([40], 1), normal([40], 2), normal([40], 3)];
      const step = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: false };
      const adam = { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05 };
      expect(dispatchesOf(() => sgdUpdate(w, v, g, step))).toBe(1);
      expect(dispatchesOf(() => larsUpdate(w, v, g, { ...step, trustCoefficient: 0.02 }))).toBe(2);
      expect(
        dispatchesOf(() => adamWUpdate(w, v, v, g, { ...adam, correction1: 0.1, correction2: 0.001 })),
      ).toBe(1);
      expect(dispatchesOf(() => emaUpdate(w, v, 0.01))).toBe(1);
      expect(dispatchesOf(() => scaledSum(w, 0.9, v, 0.1))).toBe(1);
    });
  });

  it('SGD, the EMA and the scaled sum equal the tfjs ops on the cpu bit for bit', async () => {
    const { error, fellBack } = await compareVulkanToCpu(() => {
      const [w, v, g] = [normal([37, 5], 1), normal([37, 5], 2), normal([37, 5], 3)];
      const none = tf.zeros([0]);
      return [
        ...sgdUpdate(w, v, g, { lr: 0.3, momentum: 0.9, weightDecay: 5e-4, nesterov: false }),
        ...sgdUpdate(w, v, g, { lr: 0.01, momentum: 0.99, weightDecay: 0, nesterov: false }),
        ...sgdUpdate(w, v, g, { lr: 0.3, momentum: 0.9, weightDecay: 5e-4, nesterov: true }),
        ...sgdUpdate(none, none, none, { lr: 1, momentum: 0.9, weightDecay: 0, nesterov: false }),
        emaUpdate(w, v, 0.004),
        emaUpdate(w, v, 1),
        scaledSum(w, 0.9, g, 0.1 * (185 / 184)),
      ];
    });
    expect(fellBack).toEqual([]);
    expect(error).toBe(0);
  });

  it('LARS: the trust ratio over tensors of one to several chunks, and 1 where a norm is 0', async () => {
    const { error, fellBack } = await compareVulkanToCpu(() => {
      const attrs = { lr: 0.2, momentum: 0.9, weightDecay: 1e-6, trustCoefficient: 0.02 };
      const out: tf.Tensor[] = [];
      // 1,100,000 values: 256 chunks of 4,297, the last shorter.
      for (const [size, seed] of [
        [5, 1],
        [300_001, 2],
        [1_100_000, 3],
      ] as const) {
        out.push(
          ...larsUpdate(normal([size], seed), normal([size], seed + 10), normal([size], seed + 20), attrs),
        );
      }
      const zeros = tf.zeros([64]);
      out.push(...larsUpdate(zeros, normal([64], 4), normal([64], 5), { ...attrs, weightDecay: 0 }));
      out.push(...larsUpdate(normal([64], 6), normal([64], 7), zeros, { ...attrs, weightDecay: 0 }));
      return out;
    });
    expect(fellBack).toEqual([]);
    expect(error).toBeLessThan(1e-6);
  }, 60_000);

  const optimizers: [OptimizerId, string, Partial<OptimizerSettings>, number][] = [
    ['sgd', '', {}, 0],
    ['sgd', ' (Nesterov, norms and biases undecayed)', { nesterov: true, exemptNormsFromDecay: true }, 0],
    ['lars', '', {}, 1e-6],
    ['adamw', '', {}, 1e-6],
  ];
  for (const [id, variant, extra, tolerance] of optimizers) {
    it(`give the ${id} optimiser${variant} the cpu’s parameters and state after three steps`, async () => {
      const { error, fellBack } = await compareVulkanToCpu(() => {
        const params: NamedParameter[] = [
          ['layer.weight', tf.variable(normal([8, 3], 1))],
          ['layer.bias', tf.variable(normal([3], 2))],
        ];
        const settings = { id, momentum: 0.9, weightDecay: 1e-2, trustCoefficient: 0.02, ...extra };
        const optimizer = createOptimizer(params, settings);
        for (let step = 0; step < 3; step++) {
          optimizer.step([normal([8, 3], 10 + step), normal([3], 20 + step)], [0.5, 0.05]);
        }
        const state = [...optimizer.trainingState().tensors.values()].map((t) => t.clone());
        const out = [...params.map(([, p]) => p.clone()), ...state];
        optimizer.dispose();
        params.forEach(([, p]) => p.dispose());
        return out;
      });
      expect(fellBack).toEqual([]);
      expect(error).toBeLessThanOrEqual(tolerance);
    });
  }

  it('give batch norm the cpu’s running statistics after two training forwards', async () => {
    const { error, fellBack } = await compareVulkanToCpu(() => {
      const bn = new BatchNorm(5);
      bn.forward(normal([4, 3, 3, 5], 1), true).dispose();
      bn.forward(tf.add(normal([4, 3, 3, 5], 2), 3), true).dispose();
      const out = bn.namedBuffers().map(([, t]) => t.clone());
      bn.dispose();
      return out;
    });
    expect(fellBack).toEqual([]);
    expect(error).toBeLessThan(1e-6);
  });

  it('gives momentumUpdate the cpu’s target module bit for bit', async () => {
    const { error, fellBack } = await compareVulkanToCpu(() => {
      const online = new Linear(6, 4, new Rng(1));
      const target = new Linear(6, 4, new Rng(2));
      momentumUpdate(online, target, 0.99);
      momentumUpdate(online, target, 0.996);
      const out = target.state().map((t) => t.clone());
      online.dispose();
      target.dispose();
      return out;
    });
    expect(fellBack).toEqual([]);
    expect(error).toBe(0);
  });
});
