import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { ByolInstance } from '../../../src-main/engine/methods/byol';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { cosineRamp } from '../../../src-main/engine/nn/schedule';
import { afterOptimizerStep } from '../../../src-main/engine/runner/step';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';
import { expectMomentumStep, expectStopGradient, snapshot } from './ssl-helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('byol', () => {
  it('trains one epoch without NaN/Inf and logs the kNN monitor and τ', async () => {
    const points = await trainTiny('byol');
    expectHealthyRun(points);
    expect(points.filter((p) => p.key === 'target_decay').map((p) => p.value)).toEqual(
      [0, 1, 2, 3].map((k) => expect.closeTo(cosineRamp(k, 4, 0.996, 1), 6)),
    );
  });

  it('has BYOL’s defaults and asymmetric views: blur 1.0 / 0.1, solarize 0 / 0.2', () => {
    const m = getMethod('byol');
    const c = resolveConfig(m, {});
    expect(c).toMatchObject({
      optimizer: 'lars',
      lr: 0.2,
      weightDecay: 1.5e-6,
      targetDecay: 0.996,
      projectionDim: 256,
      cropMinScale: 0.08,
    });
    const plan = m.viewPlan(c, 32);
    expect(plan.global.map((a) => [a.blurProb, a.solarizeProb])).toEqual([
      [1, 0],
      [0.1, 0.2],
    ]);
    expect(plan.global[1]!.blurSigma[1]).toBeCloseTo((2 * 32) / 224, 6);
    expect(plan.local).toEqual([]);
  });

  it('gives the target network no gradient (sg(z′), Eq. 2)', () => {
    const { instance, config } = createInstance('byol', {});
    const batch = randomBatch('byol', config, [0, 1, 2, 3, 4, 5, 6, 7]);
    expectStopGradient(instance, batch, ctxAt(0), (instance as ByolInstance).target);
    tf.dispose(batch.views);
    instance.dispose();
  });

  it('moves the target by exactly (1 − τ)(θ − ξ) with τ on the cosine schedule', () => {
    const { instance, config } = createInstance('byol', { targetDecay: 0.9 });
    const byol = instance as ByolInstance;
    const optimizer = createOptimizer(byol.trainableParameters(), {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    const vars = byol.trainableParameters().map(([, v]) => v);
    for (const step of [0, 30]) {
      const batch = randomBatch('byol', config, [0, 1, 2, 3, 4, 5, 6, 7], step);
      const { value, grads } = tf.variableGrads(() => byol.step(batch, ctxAt(step)).loss, vars);
      optimizer.step(
        vars.map((v) => grads[v.name]!),
        0.5,
      );
      const before = snapshot(byol.target);
      const online = snapshot(byol.online);
      afterOptimizerStep(byol, batch, ctxAt(step));
      expectMomentumStep(before, online, snapshot(byol.target), cosineRamp(step, 100, 0.9, 1));
      tf.dispose([value, ...Object.values(grads), ...batch.views]);
    }
    optimizer.dispose();
    byol.dispose();
  });
});
