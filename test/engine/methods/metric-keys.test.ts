import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { coreMetricKeys, describeMetric } from '../../../src-main/domain';
import { initBackend } from '../../../src-main/engine/backend';
import { describeMethod, getMethod, methods } from '../../../src-main/engine/methods';
import { createInstance, ctxAt, randomBatch } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Configs beyond the defaults under which a method logs more: CMC's memory banks, WCL's local crops. */
const variants: Record<string, Record<string, unknown>[]> = {
  cmc: [{ objective: 'memory-bank' }],
  cpc: [{ predictionSteps: 6 }],
  wcl: [{ localCrops: 2, localCropsKept: 1, multiCropWarmupEpochs: 0 }],
};

/** The keys one training step of `id` logs (StepResult.logs), on a batch of 8 random views. */
function loggedKeys(id: string, config: Record<string, unknown>): string[] {
  const { instance, config: resolved } = createInstance(id, config);
  const batch = randomBatch(id, resolved, [0, 1, 2, 3, 4, 5, 6, 7]);
  try {
    return tf.tidy(() => Object.keys(instance.step(batch, ctxAt(0)).logs ?? {}));
  } finally {
    tf.dispose(batch.views);
    instance.dispose();
  }
}

describe('metric keys of the methods', () => {
  it('every key a method’s step logs is a core key or one the method declares', () => {
    for (const method of methods) {
      const declared = Object.keys(method.metrics ?? {});
      const logged = new Set(
        [{}, ...(variants[method.id] ?? [])].flatMap((config) => loggedKeys(method.id, config)),
      );
      const undeclared = [...logged].filter(
        (k) => !(coreMetricKeys as string[]).includes(k) && !declared.includes(k),
      );
      expect([method.id, undeclared]).toEqual([method.id, []]);
      // And nothing is declared that the step never logs (CPC declares every k up to its maximum; a run
      // logs those up to its predictionSteps).
      if (method.id !== 'cpc') {
        expect([method.id, declared.filter((k) => !logged.has(k))]).toEqual([method.id, []]);
      }
    }
  });

  it('logs CPC’s terms under the keys it declares, one per prediction step', () => {
    expect(loggedKeys('cpc', { predictionSteps: 4 })).toEqual(['loss_k1', 'loss_k2', 'loss_k3', 'loss_k4']);
    const declared = getMethod('cpc').metrics ?? {};
    expect(Object.keys(declared)).toHaveLength(32);
    expect(declared.loss_k2).toMatchObject({
      label: { en: 'InfoNCE loss, 2 rows ahead' },
      direction: 'lower',
    });
  });

  it('no method redeclares a core key, and a key means the same for every method that logs it', () => {
    const seen = new Map<string, unknown>();
    for (const method of methods) {
      for (const [key, spec] of Object.entries(method.metrics ?? {})) {
        expect([method.id, key, (coreMetricKeys as string[]).includes(key)]).toEqual([method.id, key, false]);
        if (seen.has(key)) expect([key, spec]).toEqual([key, seen.get(key)]);
        seen.set(key, spec);
      }
    }
  });

  it('reaches clients through MethodInfo, and describeMetric reads it', () => {
    const byol = describeMethod(getMethod('byol'));
    expect(Object.keys(byol.metrics)).toEqual(['target_decay']);
    expect(describeMetric('target_decay', byol.metrics)).toMatchObject({
      label: { en: 'Target decay τ', zh: '目标网络衰减率 τ' },
      direction: 'neither',
      smoothable: false,
    });
    expect(describeMetric('weak_groups', describeMethod(getMethod('wcl')).metrics).format).toEqual({
      kind: 'integer',
    });
    // A method that logs nothing beyond the core keys declares nothing.
    expect(describeMethod(getMethod('simclr')).metrics).toEqual({});
  });
});
