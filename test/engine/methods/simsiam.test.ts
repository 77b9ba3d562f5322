import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { rowCosine, stopGradient } from '../../../src-main/engine/losses/common';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import { outputStd, type SimSiamInstance } from '../../../src-main/engine/methods/simsiam';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { optimizationStep } from '../../../src-main/engine/runner/step';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('simsiam', () => {
  it('trains one epoch without NaN/Inf, logging the kNN monitor and output_std', async () => {
    const points = await trainTiny('simsiam');
    expectHealthyRun(points);
    const std = points.filter((p) => p.key === 'output_std');
    expect(std).toHaveLength(4);
    for (const p of std) expect(p.value).toBeGreaterThan(0);
    for (const p of std) expect(p.value).toBeLessThanOrEqual(1);
  });

  it('output_std is ≈ 1/√d for spread-out outputs and 0 for collapsed ones', () => {
    const d = 64;
    const spread = outputStd(tf.randomNormal([2000, d], 0, 1, 'float32', 1) as tf.Tensor2D).dataSync()[0]!;
    expect(spread).toBeCloseTo(1 / Math.sqrt(d), 2);
    const collapsed = outputStd(tf.tile(tf.randomNormal([1, d], 0, 1, 'float32', 2), [50, 1]) as tf.Tensor2D);
    expect(collapsed.dataSync()[0]).toBeCloseTo(0, 5);
  });

  it('has SimSiam’s defaults, a d/4 predictor bottleneck, and no momentum encoder', () => {
    const c = resolveConfig(getMethod('simsiam'), {});
    expect(c).toMatchObject({
      optimizer: 'sgd',
      lr: 0.05,
      weightDecay: 1e-4,
      projectionDim: 512,
      cropMinScale: 0.2,
    });
    const { instance } = createInstance('simsiam', { projectionDim: 32 });
    const s = instance as SimSiamInstance;
    expect(s.predictor.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['0.weight', [32, 8]],
      ['1.gamma', [8]],
      ['1.beta', [8]],
      ['3.weight', [8, 32]],
      ['3.bias', [32]],
    ]);
    // Everything trainable is the one Siamese network: no target copy exists.
    expect(s.trainableParameters().length).toBe(
      s.online.parameters().length + s.predictor.parameters().length,
    );
    instance.dispose();
  });

  it('stops the gradient through z: its gradients are those of D(p1, sg(z2))/2 + D(p2, sg(z1))/2', () => {
    const { instance, config } = createInstance('simsiam', { projectionDim: 16 });
    const s = instance as SimSiamInstance;
    const batch = randomBatch('simsiam', config, [0, 1, 2, 3, 4, 5, 6, 7]);
    const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
    const vars = s.trainableParameters().map(([, v]) => v);
    const grads = (f: () => tf.Scalar) => {
      const { value, grads: g } = tf.variableGrads(f, vars);
      value.dispose();
      return vars.map((v) => g[v.name]!);
    };
    const manual = (detach: boolean) => () => {
      const z1 = s.online.forward(v1, true) as tf.Tensor2D;
      const z2 = s.online.forward(v2, true) as tf.Tensor2D;
      const p1 = s.predictor.forward(z1, true) as tf.Tensor2D;
      const p2 = s.predictor.forward(z2, true) as tf.Tensor2D;
      const t1 = detach ? stopGradient(z1) : z1;
      const t2 = detach ? stopGradient(z2) : z2;
      return tf.mul(-0.5, tf.add(tf.mean(rowCosine(p1, t2)), tf.mean(rowCosine(p2, t1)))) as tf.Scalar;
    };
    const method = grads(() => s.step(batch, ctxAt(0)).loss);
    const withSg = grads(manual(true));
    const withoutSg = grads(manual(false));
    const maxDiff = (a: tf.Tensor[], b: tf.Tensor[]) =>
      Math.max(...a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]!))).dataSync()[0]!)));
    expect(maxDiff(method, withSg)).toBeLessThan(1e-5);
    expect(maxDiff(method, withoutSg)).toBeGreaterThan(1e-4);
    tf.dispose([...method, ...withSg, ...withoutSg, ...batch.views]);
    instance.dispose();
  });

  it('keeps the predictor at the peak rate when the schedule has decayed to zero (fixPredictorLr, Sec. 4.1)', async () => {
    /** Which modules' parameters one training step moves when the scheduled rate is 0 and the peak 0.05. */
    const moved = async (fixPredictorLr: boolean) => {
      const { instance, config } = createInstance('simsiam', { projectionDim: 16, fixPredictorLr });
      const params = instance.trainableParameters();
      const optimizer = createOptimizer(params, { id: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
      const before = params.map(([, v]) => v.clone());
      const batch = randomBatch('simsiam', config, [0, 1, 2, 3, 4, 5, 6, 7]);
      await optimizationStep(instance, optimizer, params, batch, ctxAt(99), { lr: 0, peakLr: 0.05 });
      const changed = new Set(
        params
          .filter(([, v], i) => tf.tidy(() => tf.any(tf.notEqual(v, before[i]!)).dataSync()[0] === 1))
          .map(([name]) => name.split('.')[0]),
      );
      tf.dispose([...before, ...batch.views]);
      optimizer.dispose();
      instance.dispose();
      return [...changed];
    };
    expect(resolveConfig(getMethod('simsiam'), {}).fixPredictorLr).toBe(true);
    expect(await moved(true)).toEqual(['predictor']);
    expect(await moved(false)).toEqual([]);
  });
});
