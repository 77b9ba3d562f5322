import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { methods } from '../../../src-main/engine/methods';
import type { ByolInstance } from '../../../src-main/engine/methods/byol';
import type { DinoInstance } from '../../../src-main/engine/methods/dino';
import type { MethodInstance } from '../../../src-main/engine/methods/method';
import type { MocoInstance } from '../../../src-main/engine/methods/moco';
import type { MocoV3Instance } from '../../../src-main/engine/methods/mocov3';
import type { SimclrV2Instance } from '../../../src-main/engine/methods/simclrv2';
import type { Module } from '../../../src-main/engine/nn/module';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { cosineRamp } from '../../../src-main/engine/nn/schedule';
import { createInstance, ctxAt, randomBatch } from './method-harness';
import { snapshot } from './ssl-helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

interface Case {
  id: string;
  config: Record<string, unknown>;
  /** The online module of each pair the method must declare, and its target where the test can reach it. */
  pairs: (instance: MethodInstance) => [Module, Module | null][];
  /** The paper's coefficient at step k of 100 (ctxAt). */
  momentum: (k: number) => number;
}

const cosineFrom09 = (k: number) => cosineRamp(k, 100, 0.9, 1);
const momentumMethods: Case[] = [
  {
    id: 'byol',
    config: { targetDecay: 0.9 },
    pairs: (i) => [[(i as ByolInstance).online, (i as ByolInstance).target]],
    momentum: cosineFrom09,
  },
  ...['moco', 'mocov2'].map((id) => ({
    id,
    config: { encoderMomentum: 0.9, queueSize: 16 },
    pairs: (i: MethodInstance) =>
      [[(i as MocoInstance).query, (i as MocoInstance).key]] as [Module, Module][],
    momentum: () => 0.9,
  })),
  {
    id: 'mocov3',
    config: { backbone: 'convnet', encoderMomentum: 0.9 },
    pairs: (i) => [[(i as MocoV3Instance).online, (i as MocoV3Instance).target]],
    momentum: cosineFrom09,
  },
  {
    id: 'dino',
    config: { backbone: 'convnet', localCrops: 2, prototypes: 32, headHiddenDim: 16, teacherMomentum: 0.9 },
    pairs: (i) => [[(i as DinoInstance).student, (i as DinoInstance).teacher]],
    momentum: cosineFrom09,
  },
  {
    id: 'simclrv2',
    config: { momentumEncoder: true, encoderMomentum: 0.9, queueSize: 16 },
    // The memory network is private: its encoder and head follow the online encoder and head.
    pairs: (i) => [
      [(i as SimclrV2Instance).encoder, null],
      [(i as SimclrV2Instance).head, null],
    ],
    momentum: () => 0.9,
  },
];

describe('momentum pairs', () => {
  for (const c of momentumMethods) {
    it(`${c.id} declares its momentum networks with the paper’s schedule; afterStep moves none of them`, () => {
      const { instance, config } = createInstance(c.id, c.config);
      const declared = instance.momentumPairs ?? [];
      const expected = c.pairs(instance);
      expect(declared).toHaveLength(expected.length);
      declared.forEach((pair, i) => {
        const [online, target] = expected[i]!;
        expect(pair.online).toBe(online);
        if (target) expect(pair.target).toBe(target);
        expect(pair.target).not.toBe(pair.online);
        expect(pair.target.state().map((v) => v.shape)).toEqual(pair.online.state().map((v) => v.shape));
        for (const k of [0, 30, 99]) expect(pair.momentum(ctxAt(k))).toBe(c.momentum(k));
      });

      // One step under the optimiser moves the online networks away from their targets.
      const optimizer = createOptimizer(instance.trainableParameters(), {
        id: 'sgd',
        momentum: 0,
        weightDecay: 0,
      });
      const vars = instance.trainableParameters().map(([, v]) => v);
      const batch = randomBatch(c.id, config, [0, 1, 2, 3, 4, 5, 6, 7]);
      const { value, grads } = tf.variableGrads(() => instance.step(batch, ctxAt(0)).loss, vars);
      optimizer.step(
        vars.map((v) => grads[v.name]!),
        0.5,
      );
      const targets = declared.map((p) => snapshot(p.target));
      expect(declared.map((p) => snapshot(p.online))).not.toEqual(targets);
      // The EMA of weights is the training step's job (runner/step.ts), not afterStep's.
      instance.afterStep?.(batch, ctxAt(0));
      expect(declared.map((p) => snapshot(p.target))).toEqual(targets);
      tf.dispose([value, ...Object.values(grads), ...batch.views]);
      optimizer.dispose();
      instance.dispose();
    });
  }

  it('no other method, nor SimCLR v2 without its memory, declares any', () => {
    const withPairs = new Set(momentumMethods.map((c) => c.id));
    for (const m of methods.filter((m) => !withPairs.has(m.id))) {
      const { instance } = createInstance(m.id, { backbone: 'convnet' }, { trainSize: 128 });
      expect(instance.momentumPairs ?? [], m.id).toEqual([]);
      instance.dispose();
    }
    const { instance } = createInstance('simclrv2', { momentumEncoder: false });
    expect(instance.momentumPairs).toEqual([]);
    instance.dispose();
  });
});
