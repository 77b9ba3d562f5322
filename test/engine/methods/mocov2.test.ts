import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { MocoInstance } from '../../../src-main/engine/methods/moco';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';
import { expectStopGradient } from './ssl-helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('mocov2', () => {
  it('trains one epoch without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('mocov2'));
  });

  it('has MoCo v2’s defaults: τ 0.2, MLP head without BN, blur 0.5 with σ scaled to the image', () => {
    const m = getMethod('mocov2');
    const c = resolveConfig(m, {});
    expect(c).toMatchObject({
      temperature: 0.2,
      encoderMomentum: 0.999,
      blurProb: 0.5,
      lr: 0.03,
      warmupEpochs: 0,
    });
    const plan = m.viewPlan(c, 32);
    expect(plan.global).toHaveLength(2);
    expect(plan.local).toHaveLength(0);
    expect(plan.global[0]!.blurSigma[0]).toBeCloseTo((0.1 * 32) / 224, 6);
    expect(plan.global[0]!.blurSigma[1]).toBeCloseTo((2 * 32) / 224, 6);
    const { instance } = createInstance('mocov2', { projectionHiddenDim: 16 });
    const head = (instance as MocoInstance).query.head.namedParameters();
    expect(head.map(([n, v]) => [n, v.shape])).toEqual([
      ['0.weight', [32, 16]],
      ['0.bias', [16]],
      ['2.weight', [16, 128]],
      ['2.bias', [128]],
    ]);
    instance.dispose();
  });

  it('gives the key encoder no gradient', () => {
    const { instance, config } = createInstance('mocov2', { queueSize: 16, batchSize: 8 });
    const batch = randomBatch('mocov2', config, [0, 1, 2, 3, 4, 5, 6, 7]);
    expectStopGradient(instance, batch, ctxAt(0), (instance as MocoInstance).key);
    batch.views.forEach((v) => v.dispose());
    instance.dispose();
  });
});
