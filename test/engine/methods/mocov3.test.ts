import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { MocoV3Instance } from '../../../src-main/engine/methods/mocov3';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { cosineRamp } from '../../../src-main/engine/nn/schedule';
import { afterOptimizerStep } from '../../../src-main/engine/runner/step';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';
import { expectMomentumStep, expectStopGradient, snapshot } from './ssl-helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('mocov3', () => {
  it('trains one epoch with its ViT-tiny without NaN/Inf and logs the kNN monitor', async () => {
    // Width 4 (tokens of 16 dims) keeps the attention cheap on the CPU.
    const points = await trainTiny('mocov3', { width: 4 });
    expectHealthyRun(points);
    expect(points.filter((p) => p.key === 'encoder_momentum').map((p) => p.value)).toEqual([
      expect.closeTo(0.99, 6),
      expect.closeTo(cosineRamp(1, 4, 0.99, 1), 6),
      expect.closeTo(cosineRamp(2, 4, 0.99, 1), 6),
      expect.closeTo(cosineRamp(3, 4, 0.99, 1), 6),
    ]);
  });

  it('trains one epoch with a CNN backbone, and takes a ResNet-18 step', async () => {
    expectHealthyRun(await trainTiny('mocov3', { backbone: 'convnet' }));
    const { instance, config } = createInstance('mocov3', { backbone: 'resnet18' });
    const batch = randomBatch('mocov3', config, [0, 1, 2, 3]);
    const loss = instance.step(batch, ctxAt(0)).loss;
    expect(Number.isFinite(loss.dataSync()[0]!)).toBe(true);
    tf.dispose([loss, ...batch.views]);
    instance.dispose();
  });

  it('has MoCo v3’s ViT defaults and freezes the random patch projection', () => {
    const c = resolveConfig(getMethod('mocov3'), {});
    expect(c).toMatchObject({
      backbone: 'vit_tiny',
      optimizer: 'adamw',
      lr: 1.5e-4,
      weightDecay: 0.1,
      temperature: 0.2,
      encoderMomentum: 0.99,
      projectionDim: 256,
      blurProb: 1,
      secondViewBlurProb: 0.1,
      solarizeProb: 0.2,
    });
    const names = (cfg: Record<string, unknown>) => {
      const { instance } = createInstance('mocov3', cfg);
      const n = instance.trainableParameters().map(([name]) => name);
      instance.dispose();
      return n;
    };
    expect(names({}).some((n) => n.includes('patch_embed'))).toBe(false);
    expect(names({ freezePatchEmbed: false }).some((n) => n.includes('patch_embed'))).toBe(true);
    // Projector: 3 linear layers for ViT, 2 for a CNN (Sec. 4.1); the predictor has 2.
    const linears = (n: string[], prefix: string) =>
      n.filter((x) => x.startsWith(prefix) && x.endsWith('weight')).length;
    expect(linears(names({}), 'online.head.')).toBe(3);
    expect(linears(names({ backbone: 'convnet' }), 'online.head.')).toBe(2);
    expect(linears(names({}), 'predictor.')).toBe(2);
  });

  it('gives the momentum encoder no gradient and moves it by (1 − m)(θ − ξ) with m on a cosine', () => {
    const { instance, config } = createInstance('mocov3', { backbone: 'convnet' });
    const moco = instance as MocoV3Instance;
    const batch = randomBatch('mocov3', config, [0, 1, 2, 3, 4, 5, 6, 7]);
    expectStopGradient(moco, batch, ctxAt(0), moco.target);

    const optimizer = createOptimizer(moco.trainableParameters(), {
      id: 'adamw',
      momentum: 0,
      weightDecay: 0.1,
    });
    const vars = moco.trainableParameters().map(([, v]) => v);
    const ctx = ctxAt(40);
    const { value, grads } = tf.variableGrads(() => moco.step(batch, ctx).loss, vars);
    optimizer.step(
      vars.map((v) => grads[v.name]!),
      1e-3,
    );
    const before = snapshot(moco.target);
    const online = snapshot(moco.online);
    afterOptimizerStep(moco, batch, ctx);
    expectMomentumStep(before, online, snapshot(moco.target), cosineRamp(40, 100, 0.99, 1));
    tf.dispose([value, ...Object.values(grads), ...batch.views]);
    optimizer.dispose();
    moco.dispose();
  });
});
