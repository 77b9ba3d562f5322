import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { infoNceQueueLoss } from '../../../src-main/engine/losses/infonce_queue';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import {
  effectiveQueueSize,
  groupSizes,
  groupedForward,
  shuffledKeyForward,
  type MocoInstance,
} from '../../../src-main/engine/methods/moco';
import { BatchNorm, Linear } from '../../../src-main/engine/nn/layers';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { Rng } from '../../../src-main/engine/util/rng';
import { afterOptimizerStep } from '../../../src-main/engine/runner/step';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';
import { expectMomentumStep, expectStopGradient, snapshot } from './ssl-helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Per-channel mean and variance of the rows `idx` of a [N, C] tensor. */
function groupMoments(y: tf.Tensor2D, idx: number[]) {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(tf.gather(y, idx), 0);
    return { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
  });
}

describe('moco', () => {
  it('trains one epoch without NaN/Inf and logs the kNN monitor, on MoCo v1’s step schedule', async () => {
    const points = await trainTiny('moco');
    expectHealthyRun(points);
    // 4 steps at 0.03 · 64/256: × 0.1 from 60% of the run (step 2.4, so the fourth step), again from 80% (3.2).
    const peak = (0.03 * 64) / 256;
    const lrs = points.filter((p) => p.key === 'lr').map((p) => p.value);
    expect(lrs).toEqual([peak, peak, peak, peak * 0.1].map((v) => expect.closeTo(v, 12)));
  });

  it('defaults to the step schedule for v1 and the cosine for v2; either may take the other', () => {
    const schedule = (id: string, config: Record<string, unknown> = {}) => {
      const { instance } = createInstance(id, config);
      const s = instance.optimisation?.lrSchedule;
      instance.dispose();
      return s;
    };
    expect(resolveConfig(getMethod('moco'), {}).lrSchedule).toBe('step');
    expect(resolveConfig(getMethod('mocov2'), {}).lrSchedule).toBe('cosine');
    expect(schedule('moco')).toEqual({ kind: 'step', milestones: [0.6, 0.8], factor: 0.1 });
    expect(schedule('moco', { lrSchedule: 'cosine' })).toEqual({ kind: 'cosine' });
    expect(schedule('mocov2')).toEqual({ kind: 'cosine' });
    expect(schedule('mocov2', { lrSchedule: 'step' })?.kind).toBe('step');
    expect(() => resolveConfig(getMethod('moco'), { lrSchedule: 'linear' })).toThrow(/lrSchedule/);
  });

  it('has MoCo v1’s defaults: τ 0.07, m 0.999, linear 128-d head, SGD lr 0.03, wd 1e-4', () => {
    const c = resolveConfig(getMethod('moco'), {});
    expect(c).toMatchObject({
      temperature: 0.07,
      encoderMomentum: 0.999,
      projectionDim: 128,
      queueSize: 4096,
      optimizer: 'sgd',
      lr: 0.03,
      weightDecay: 1e-4,
      cropMinScale: 0.2,
      jitterProb: 1,
    });
    const { instance } = createInstance('moco', {});
    const head = (instance as MocoInstance).query.head.namedParameters();
    expect(head.map(([n, v]) => [n, v.shape])).toEqual([
      ['weight', [32, 128]],
      ['bias', [128]],
    ]);
    instance.dispose();
  });

  it('clamps the queue to a multiple of the batch ≤ train size − batch', () => {
    expect(effectiveQueueSize(4096, 64, 256)).toBe(192);
    expect(effectiveQueueSize(100, 64, 256)).toBe(64);
    expect(effectiveQueueSize(16, 64, 256)).toBe(16);
    expect(effectiveQueueSize(4096, 256, 50000)).toBe(4096);
    expect(effectiveQueueSize(65536, 256, 50000)).toBe(49664);
    expect(effectiveQueueSize(4096, 300, 256)).toBe(1);
  });

  it('splits a batch into near-equal BN groups of at least two', () => {
    expect(groupSizes(64, 4)).toEqual([16, 16, 16, 16]);
    expect(groupSizes(10, 4)).toEqual([3, 3, 2, 2]);
    expect(groupSizes(5, 4)).toEqual([3, 2]);
    expect(groupSizes(3, 8)).toEqual([3]);
    expect(groupSizes(8, 1)).toEqual([8]);
  });

  it('split BN normalises each group with its own statistics', () => {
    const bn = new BatchNorm(3);
    const x = tf.add(
      tf.randomNormal([8, 1, 1, 3], 0, 1, 'float32', 1),
      tf.linspace(0, 7, 8).reshape([8, 1, 1, 1]),
    );
    const y = tf.reshape(groupedForward(bn, x as tf.Tensor4D, 2), [8, 3]) as tf.Tensor2D;
    for (const g of [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]) {
      const { mean, variance } = groupMoments(y, g);
      mean.forEach((m) => expect(m).toBeCloseTo(0, 4));
      variance.forEach((v) => expect(v).toBeCloseTo(1, 2));
    }
    bn.dispose();
  });

  it('shuffling BN: keys are normalised in shuffled groups and returned in the original order', () => {
    // A per-sample network: shuffle → groups → unshuffle must be the identity on the sample order.
    const linear = new Linear(3, 2, new Rng(1));
    const x = tf.randomNormal([8, 1, 1, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const flat = (t: tf.Tensor) => tf.reshape(t, [8, -1]);
    const plain = linear.forward(flat(x));
    const perSample = { forward: (t: tf.Tensor) => linear.forward(tf.reshape(t, [t.shape[0]!, 3])) };
    const shuffled = shuffledKeyForward(perSample as unknown as Linear, x, 4, new Rng(5));
    expect(tf.max(tf.abs(tf.sub(plain, shuffled))).dataSync()[0]).toBeLessThan(1e-6);
    // With batch norm, the groups are the permutation's consecutive blocks, not the batch's.
    const bn = new BatchNorm(3);
    const xs = tf.add(x, tf.linspace(0, 7, 8).reshape([8, 1, 1, 1])) as tf.Tensor4D;
    const keys = tf.reshape(shuffledKeyForward(bn, xs, 2, new Rng(5)), [8, 3]) as tf.Tensor2D;
    const perm = Array.from(new Rng(5).permutation(8));
    for (const g of [perm.slice(0, 4), perm.slice(4)]) {
      groupMoments(keys, g).mean.forEach((m) => expect(m).toBeCloseTo(0, 4));
    }
    expect(Math.max(...groupMoments(keys, [0, 1, 2, 3]).mean.map(Math.abs))).toBeGreaterThan(0.1);
    linear.dispose();
    bn.dispose();
  });

  it('a step: InfoNCE against the queue, no gradient to the key encoder; after it: momentum + enqueue', () => {
    // One BN group, so the key encoder's forward here can be repeated outside the step.
    const { instance, config } = createInstance('moco', {
      queueSize: 32,
      batchSize: 8,
      encoderMomentum: 0.9,
      bnGroups: 1,
    });
    const moco = instance as MocoInstance;
    expect(moco.queue.capacity).toBe(32);
    const batch = randomBatch('moco', config, [0, 1, 2, 3, 4, 5, 6, 7]);
    expectStopGradient(moco, batch, ctxAt(0), moco.key);
    expect(moco.queue.filled).toBe(8);
    expect(moco.queue.pointer).toBe(8);

    const queueBefore = tf.clone(moco.queue.keys);
    const optimizer = createOptimizer(moco.trainableParameters(), {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    const vars = moco.trainableParameters().map(([, v]) => v);
    const { value, grads } = tf.variableGrads(() => moco.step(batch, ctxAt(1)).loss, vars);
    // The loss is InfoNCE of the query's embedding against the key encoder's and the queue (Eq. 1).
    const q = moco.query.forward(batch.views[0]!, true) as tf.Tensor2D;
    const expected = infoNceQueueLoss(
      q,
      moco.key.forward(batch.views[1]!, true) as tf.Tensor2D,
      queueBefore,
      0.07,
    );
    expect(value.dataSync()[0]).toBeCloseTo(expected.dataSync()[0]!, 5);
    optimizer.step(
      vars.map((v) => grads[v.name]!),
      0.1,
    );
    const keyBefore = snapshot(moco.key);
    const queryNow = snapshot(moco.query);
    afterOptimizerStep(moco, batch, ctxAt(1));
    expectMomentumStep(keyBefore, queryNow, snapshot(moco.key), 0.9);
    // Rows 8–15 now hold this step's keys (unit vectors); the older rows are untouched.
    const rows = moco.queue.keys.arraySync() as number[][];
    const old = queueBefore.arraySync() as number[][];
    for (let r = 8; r < 16; r++) {
      expect(Math.hypot(...rows[r]!)).toBeCloseTo(1, 5);
      expect(rows[r]).not.toEqual(old[r]);
    }
    for (const r of [0, 16, 31]) expect(rows[r]).toEqual(old[r]);
    tf.dispose([value, ...Object.values(grads), queueBefore, q, expected, ...batch.views]);
    optimizer.dispose();
    moco.dispose();
  });
});
