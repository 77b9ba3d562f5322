import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { loadDataset, type Dataset } from '../../../src-main/engine/data';
import {
  fineTune,
  fineTuneNetwork,
  fineTuneSubset,
  lightAugment,
} from '../../../src-main/engine/eval/fine-tune';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { MethodInstance } from '../../../src-main/engine/methods/method';
import type { SimclrV2Instance } from '../../../src-main/engine/methods/simclrv2';
import type { Module } from '../../../src-main/engine/nn/module';
import { Rng } from '../../../src-main/engine/util/rng';

let dataset: Dataset;

beforeAll(async () => {
  await initBackend('wasm');
  // 10 classes of generated shapes, 30 training and 10 test images each.
  dataset = await loadDataset({ id: 'synthetic', trainSize: 300, testSize: 100, seed: 7 });
});

function instanceOf(method: string, config: Record<string, unknown> = {}): MethodInstance {
  const m = getMethod(method);
  const resolved = resolveConfig(m, { width: 8, ...config });
  return m.create(resolved, {
    rng: new Rng(resolved.seed),
    imageSize: dataset.height,
    channels: dataset.channels,
    trainSize: dataset.train.count,
    mean: dataset.mean,
    std: dataset.std,
  });
}

/** Every parameter and buffer of a module, by name, as plain numbers. */
function snapshot(module: Module): Map<string, Float32Array> {
  return new Map(
    [...module.namedParameters(), ...module.namedBuffers()].map(([name, v]) => [
      name,
      v.dataSync() as Float32Array,
    ]),
  );
}

/** Largest absolute change of each named tensor between two snapshots. */
function changes(before: Map<string, Float32Array>, after: Map<string, Float32Array>): Map<string, number> {
  return new Map(
    [...before].map(([name, b]) => {
      const a = after.get(name)!;
      let most = 0;
      for (let i = 0; i < b.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!));
      return [name, most];
    }),
  );
}

describe('fineTune', () => {
  it('trains the backbone itself with the new head, and reports accuracies on the test split', async () => {
    const instance = instanceOf('simclr');
    try {
      const network = fineTuneNetwork(instance);
      expect(network).toBe(instance.encoder);
      const before = snapshot(network);
      const tensorsBefore = tf.memory().numTensors;
      const progress: number[] = [];
      const messages: string[] = [];
      const r = await fineTune(network, dataset, {
        labelPercent: 100,
        epochs: 4,
        batchSize: 50,
        lr: 0.1,
        onProgress: (f, message) => {
          progress.push(f);
          messages.push(message);
        },
      });
      // Nothing of the fine-tune (head, optimiser slots, logits) is left behind.
      expect(tf.memory().numTensors).toBe(tensorsBefore);

      const moved = changes(before, snapshot(network));
      const weights = [...moved].filter(([name]) => /weight|kernel|filter/.test(name));
      expect(weights.length).toBeGreaterThan(0);
      // Every weight tensor of the backbone moved: a frozen backbone (a linear probe) fails here.
      for (const [name, most] of weights) expect([name, most > 1e-4]).toEqual([name, true]);
      // Batch norm ran in training mode: its running statistics followed the fine-tuned network.
      const running = [...moved].filter(([name]) => name.endsWith('running_mean'));
      expect(running.length).toBeGreaterThan(0);
      expect(running.every(([, most]) => most > 0)).toBe(true);

      expect(r).toMatchObject({ labelPercent: 100, labelledImages: 300, epochs: 4, steps: 4 * 6 });
      for (const v of [r.top1, r.top5, r.trainTop1]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(r.top5).toBeGreaterThanOrEqual(r.top1);
      // Above chance (10%) on the labelled images it trained on, after 24 steps from a random network.
      expect(r.trainTop1).toBeGreaterThan(0.2);
      expect(Number.isFinite(r.trainLoss)).toBe(true);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).toBe(1);
      expect(messages.some((m) => /epoch 4\/4/.test(m))).toBe(true);
    } finally {
      instance.dispose();
    }
  });

  it('fine-tunes SimCLR v2 from the head layer fineTuneFromLayer names, leaving the layers above it alone', async () => {
    const instance = instanceOf('simclrv2', { projectionHiddenDim: 32, fineTuneFromLayer: 1 });
    try {
      const v2 = instance as SimclrV2Instance;
      const network = fineTuneNetwork(instance);
      expect(network).toBe(v2.fineTuneEncoder);
      expect(network.outputDim).toBe(32);
      const encoderBefore = snapshot(v2.encoder);
      const headBefore = snapshot(v2.head);
      const subset = fineTuneSubset(dataset, 50);
      const r = await fineTune(network, dataset, { labelPercent: 50, subset, epochs: 2, batchSize: 50 });
      expect(r.labelledImages).toBe(subset.indices.length);
      const encoderMoved = changes(encoderBefore, snapshot(v2.encoder));
      expect([...encoderMoved.values()].some((most) => most > 1e-4)).toBe(true);
      const headMoved = changes(headBefore, snapshot(v2.head));
      // Block 0 of the head (the first layer and its batch norm) is part of the fine-tuned network…
      const first = [...headMoved].filter(([name]) => name.startsWith('0.'));
      expect(first.length).toBeGreaterThan(0);
      expect(first.some(([, most]) => most > 1e-4)).toBe(true);
      // …the layers above it are not: no gradient, no batch-norm update.
      const above = [...headMoved].filter(([name]) => !name.startsWith('0.'));
      expect(above.length).toBeGreaterThan(0);
      expect(above.every(([, most]) => most === 0)).toBe(true);
    } finally {
      instance.dispose();
    }
  });

  it('draws light augmentation only: crop and flip, no colour distortion', () => {
    expect(lightAugment(32)).toMatchObject({
      outputSize: 32,
      cropScale: [0.08, 1],
      flipProb: 0.5,
      jitterProb: 0,
      grayscaleProb: 0,
      blurProb: 0,
      solarizeProb: 0,
    });
  });

  it('refuses a share that leaves a class without an image before training', async () => {
    const instance = instanceOf('simclr');
    try {
      // 30 images per class: 1% of them rounds to none.
      await expect(fineTune(instance.encoder, dataset, { labelPercent: 1, epochs: 1 })).rejects.toThrow(
        /1% of the labels leaves class ".+" without an image/,
      );
    } finally {
      instance.dispose();
    }
  });
});
