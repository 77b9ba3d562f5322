import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { SimclrV2Instance } from '../../../src-main/engine/methods/simclrv2';
import { createInstance, expectHealthyRun, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('simclrv2', () => {
  it('trains one epoch (LARS, 3-layer head) without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('simclrv2'));
  });

  it('trains one epoch with the momentum encoder and its queue of negatives', async () => {
    expectHealthyRun(await trainTiny('simclrv2', { momentumEncoder: true, queueSize: 256 }));
  });

  it('defaults: 3 head layers, fine-tune from the first, LARS, SimCLR’s temperature field', () => {
    const m = getMethod('simclrv2');
    const c = resolveConfig(m, {});
    expect(c).toMatchObject({
      projectionLayers: 3,
      fineTuneFromLayer: 1,
      momentumEncoder: false,
      optimizer: 'lars',
    });
    expect(c.temperature).toBe(resolveConfig(getMethod('simclr'), {}).temperature);
  });

  it('exposes the fine-tuning network: encoder plus the first head layer; kNN still reads the encoder', () => {
    const { instance } = createInstance('simclrv2', { projectionHiddenDim: 24 });
    const inst = instance as SimclrV2Instance;
    expect(inst.head.layers).toBe(3);
    expect(inst.fineTuneEncoder.outputDim).toBe(24);
    const x = tf.randomNormal([2, 32, 32, 3]);
    const f = inst.fineTuneEncoder.forward(x, false);
    expect(f.shape).toEqual([2, 24]);
    expect(inst.encoder.forward(x, false).shape).toEqual([2, inst.encoder.outputDim]);
    tf.dispose([x, f]);
    inst.dispose();
    expect(() => createInstance('simclrv2', { fineTuneFromLayer: 3 })).toThrow(/fineTuneFromLayer/);
  });
});
