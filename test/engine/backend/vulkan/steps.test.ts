import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../../src-main/engine/backend';
import { relativeError } from '../compare';
import { createInstance, ctxAt, optimiseStep, randomBatch } from '../../methods/method-harness';
import { createOptimizer } from '../../../../src-main/engine/nn/optimizers';
import { countFallbacks } from '../../../../src-main/engine/backend/vulkan';
import { vulkanAvailable } from './vulkan-helpers';

/** One training step's loss and every parameter's gradient, computed on `backend`. */
async function stepOn(
  backend: 'cpu' | 'vulkan',
  method: string,
  config: Record<string, unknown>,
): Promise<{ loss: number; grads: Map<string, Float32Array>; fellBack: string[] }> {
  await initBackend(backend);
  const fallbacks = countFallbacks();
  const { instance, config: resolved } = createInstance(method, { backbone: 'convnet', ...config });
  const batch = randomBatch(method, resolved, [0, 1, 2, 3, 4, 5, 6, 7], 3);
  const parameters = instance.trainableParameters();
  const { value, grads } = tf.variableGrads(
    () => instance.step(batch, ctxAt(0)).loss,
    parameters.map(([, v]) => v),
  );
  const result = {
    loss: (await value.data())[0]!,
    grads: new Map(parameters.map(([name, v]) => [name, Float32Array.from(grads[v.name]!.dataSync())])),
    fellBack: fallbacks().map((k) => k.name),
  };
  tf.dispose([value, ...Object.values(grads), ...batch.views]);
  instance.dispose();
  return result;
}

// A whole step of every method, with everything it computes: the backbone, batch norm, the heads, the
// loss (Sinkhorn for SwAV, centring and sharpening for DINO, a queue for MoCo, patches for CPC, Lab
// channels for CMC) and the backward pass.
const methods: [string, Record<string, unknown>][] = [
  ['simclr', {}],
  ['byol', {}],
  ['swav', { numPrototypes: 16 }],
  ['dino', { localCrops: 2, prototypes: 32, headHiddenDim: 16, bottleneckDim: 8 }],
  ['instdisc', {}],
  ['invaspread', {}],
  ['cpc', {}],
  ['cmc', {}],
  ['moco', {}],
  ['mocov2', {}],
  ['mocov3', {}],
  ['simclrv2', {}],
  ['simsiam', {}],
  ['supcon', {}],
  ['wcl', {}],
];

describe.runIf(vulkanAvailable)('a training step on vulkan against cpu', () => {
  for (const [method, config] of methods) {
    it(`${method}: the same loss and gradients, every kernel on the device`, async () => {
      const expected = await stepOn('cpu', method, config);
      const actual = await stepOn('vulkan', method, config);
      expect(actual.fellBack).toEqual([]);
      expect(Number.isFinite(expected.loss)).toBe(true);
      expect(Math.abs(actual.loss - expected.loss) / Math.max(1, Math.abs(expected.loss))).toBeLessThan(1e-4);
      expect([...actual.grads.keys()]).toEqual([...expected.grads.keys()]);
      const worst = Math.max(
        ...[...expected.grads].map(([name, g]) => relativeError(g, actual.grads.get(name)!)),
      );
      expect(worst).toBeLessThan(1e-3);
    }, 60_000);
  }
});

/** Three optimisation steps (SGD with momentum) and the losses and weights they lead to, on `backend`. */
async function trainOn(backend: 'cpu' | 'vulkan'): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await initBackend(backend);
  const { instance, config } = createInstance('simclr', { backbone: 'convnet' });
  const optimizer = createOptimizer(instance.trainableParameters(), {
    id: 'sgd',
    momentum: 0.9,
    weightDecay: 5e-4,
  });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const batch = randomBatch('simclr', config, [0, 1, 2, 3, 4, 5, 6, 7], step + 1); // seed 0 is Math.random in tfjs
    losses.push(optimiseStep(instance, optimizer, batch, ctxAt(step)));
    tf.dispose(batch.views);
  }
  const weights = instance.trainableParameters().map(([, v]) => Float32Array.from(v.dataSync()));
  instance.dispose();
  return { losses, weights };
}

describe.runIf(vulkanAvailable)('training on vulkan against cpu', () => {
  it('takes the same optimiser steps', async () => {
    const expected = await trainOn('cpu');
    const actual = await trainOn('vulkan');
    expect(actual.losses).toEqual(expected.losses.map((l) => expect.closeTo(l, 4)));
    const worst = Math.max(...expected.weights.map((w, i) => relativeError(w, actual.weights[i]!)));
    expect(worst).toBeLessThan(1e-4);
  }, 60_000);
});
