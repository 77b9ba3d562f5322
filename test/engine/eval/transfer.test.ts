import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeMetric,
  transferMetricKey,
  transferTargetKey,
  type DatasetId,
} from '../../../src-main/domain';
import { initBackend } from '../../../src-main/engine/backend';
import { listDatasets, loadDataset, type Dataset } from '../../../src-main/engine/data';
import { convertChannels } from '../../../src-main/engine/data/channels';
import { MemoryPixels } from '../../../src-main/engine/data/pixels';
import { resizeRaw } from '../../../src-main/engine/data/resize';
import { splitBytes } from '../../../src-main/engine/data/splits';
import { channelStats } from '../../../src-main/engine/data/synthetic';
import {
  evaluateTransfer,
  runInputOf,
  transferDataset,
  transferFeatures,
  type RunInput,
} from '../../../src-main/engine/eval/transfer';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { MethodInstance } from '../../../src-main/engine/methods/method';
import { Rng } from '../../../src-main/engine/util/rng';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-test-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

/** The run: generated colour shapes at 16 px, with the statistics its network was trained with. */
let run: RunInput;
let instance: MethodInstance;

/**
 * A greyscale dataset of 20×20 images, as MNIST is (one channel, another size), of three classes of
 * stripes (horizontal, vertical, diagonal) with a random phase, period and brightness; statistics its own.
 */
function stripes(trainPerClass: number, testPerClass: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const side = 20;
  const make = (perClass: number) => {
    const count = 3 * perClass;
    const bytes = new Uint8Array(count * side * side);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 3;
      labels[i] = label;
      const period = 3 + Math.floor(rng.uniform(0, 3));
      const phase = rng.uniform(0, period);
      const [low, high] = [rng.uniform(0, 90), rng.uniform(160, 255)];
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const t = label === 0 ? y : label === 1 ? x : x + y;
          bytes[i * side * side + y * side + x] = (t + phase) % period < period / 2 ? high : low;
        }
      }
    }
    return { pixels: new MemoryPixels(bytes, count), labels, count };
  };
  const train = make(trainPerClass);
  const { mean, std } = channelStats(splitBytes(train), 1);
  return {
    id: 'mnist',
    name: 'Stripes',
    classNames: ['horizontal', 'vertical', 'diagonal'],
    height: side,
    width: side,
    channels: 1,
    train,
    test: make(testPerClass),
    mean: [mean[0]!, mean[0]!, mean[0]!],
    std: [std[0]!, std[0]!, std[0]!],
  };
}

/** The encoder's L2-normalised eval-mode features of NHWC bytes at the run's size, normalised with mean/std. */
function featuresOf(bytes: Uint8Array, mean: readonly number[], std: readonly number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.div(
      tf.sub(tf.div(tf.tensor4d(Float32Array.from(bytes), [1, 16, 16, 3]), 255), tf.tensor1d(mean.slice())),
      tf.tensor1d(std.slice()),
    ) as tf.Tensor4D;
    const f = instance.encoder.forward(x, false) as tf.Tensor2D;
    return tf.div(f, tf.norm(f, 2, 1, true)).dataSync() as Float32Array;
  });
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((most, v, i) => Math.max(most, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  await initBackend('wasm');
  const runDataset = await loadDataset({
    id: 'synthetic',
    trainSize: 40,
    testSize: 10,
    imageSize: 16,
    seed: 3,
    cacheDir,
  });
  run = runInputOf(runDataset);
  const method = getMethod('simclr');
  const config = resolveConfig(method, { width: 4, projectionHiddenDim: 16 });
  instance = method.create(config, {
    rng: new Rng(config.seed),
    imageSize: run.height,
    channels: run.channels,
    trainSize: runDataset.train.count,
    mean: run.mean,
    std: run.std,
  });
});
afterAll(() => instance?.dispose());

describe('transfer to another dataset', () => {
  it("reads a greyscale dataset of another size as the run's inputs: resized, in colour, with the run's mean and std", async () => {
    const target = stripes(4, 2, 11);
    const prepared = await transferDataset(target, run, { cacheDir });
    expect([prepared.height, prepared.width, prepared.channels]).toEqual([16, 16, 3]);
    expect(prepared.mean).toEqual(run.mean);
    expect(prepared.std).toEqual(run.std);
    expect(prepared.classNames).toEqual(target.classNames);
    expect(Array.from(prepared.test.labels!)).toEqual(Array.from(target.test.labels!));
    // The two statistics differ (a greyscale set of stripes against coloured shapes), or the test proves nothing.
    expect(maxDifference(target.mean, run.mean)).toBeGreaterThan(0.05);

    const features = transferFeatures(instance.encoder, prepared);
    try {
      const got = features.test.arraySync();
      let fromTargetStatistics = 0;
      for (let i = 0; i < target.test.count; i++) {
        // By hand: the image resized as any dataset at another size is, its one channel repeated in R, G, B.
        const grey = await resizeRaw(target.test.pixels.read([i]), target, 16);
        const colour = Uint8Array.from({ length: 16 * 16 * 3 }, (_, p) => grey[Math.floor(p / 3)]!);
        expect(maxDifference(got[i]!, featuresOf(colour, run.mean, run.std))).toBeLessThan(1e-4);
        fromTargetStatistics = Math.max(
          fromTargetStatistics,
          maxDifference(got[i]!, featuresOf(colour, target.mean, target.std)),
        );
      }
      // Normalised with the other dataset's own statistics, the features would be others.
      expect(fromTargetStatistics).toBeGreaterThan(1e-2);
    } finally {
      features.train.dispose();
      features.test.dispose();
    }
  });

  it('reads a colour dataset as its luma for a greyscale run, and a dataset at the run size as it is', async () => {
    const colour = await loadDataset({ id: 'synthetic', trainSize: 20, testSize: 10, seed: 5 });
    const greyRun: RunInput = {
      height: 32,
      width: 32,
      channels: 1,
      mean: [0.3, 0.3, 0.3],
      std: [0.2, 0.2, 0.2],
    };
    const prepared = await transferDataset(colour, greyRun, { cacheDir });
    expect([prepared.height, prepared.width, prepared.channels]).toEqual([32, 32, 1]);
    expect(prepared.mean).toEqual(greyRun.mean);
    const rgb = colour.test.pixels.read([4]);
    const grey = prepared.test.pixels.read([4]);
    expect(grey).toHaveLength(32 * 32);
    for (const p of [0, 100, 517, 1023]) {
      const [r, g, b] = [rgb[3 * p]!, rgb[3 * p + 1]!, rgb[3 * p + 2]!];
      // ITU-R 601 luma, torchvision's rgb_to_grayscale.
      expect(grey[p]).toBe(Math.round(0.2989 * r + 0.587 * g + 0.114 * b));
    }
    expect(Array.from(convertChannels(Uint8Array.of(7, 200), 1, 3))).toEqual([7, 7, 7, 200, 200, 200]);
  });

  it("judges the frozen encoder on the other dataset's own splits by kNN and the linear probe", async () => {
    const target = stripes(12, 6, 21);
    const prepared = await transferDataset(target, run, { cacheDir });
    const progress: number[] = [];
    const r = await evaluateTransfer(instance.encoder, prepared, {
      k: 5,
      temperature: 0.1,
      onProgress: (f) => progress.push(f),
    });
    expect([r.trainImages, r.testImages]).toEqual([36, 18]);
    // Stripes of three orientations: even a random network's features tell them apart well above chance
    // (1/3), which they would not with labels paired to the wrong images.
    expect(r.knnTop1).toBeGreaterThan(0.6);
    expect(r.probeTop1).toBeGreaterThan(0.6);
    expect(r.probeTop5).toBe(1);
    expect(r.knnTop5).toBe(1);
    expect(progress.at(-1)).toBe(1);
  });

  it('refuses a dataset without labels in one line', async () => {
    const target = stripes(2, 1, 1);
    const unlabelled = { ...target, name: 'Flat folder', train: { ...target.train, labels: null } };
    await expect(transferDataset(unlabelled, run, { cacheDir })).rejects.toThrow(
      /^dataset Flat folder has no labelled training and test images to transfer to$/,
    );
  });

  it('declares metric keys per target dataset, labelled with the name its source gives', () => {
    for (const { id, name } of listDatasets()) {
      const spec = { id: id as DatasetId };
      const key = transferMetricKey(transferTargetKey(spec), 'probe', 1);
      expect(key).toMatch(/^transfer_probe_top1_[a-z0-9_]+$/);
      expect(describeMetric(key)).toMatchObject({
        label: { en: `Transfer to ${name}: probe top-1` },
        format: { kind: 'percent' },
        direction: 'higher',
        group: 'transfer',
        cadence: 'epoch',
      });
    }
    expect(transferMetricKey(transferTargetKey({ id: 'fashion-mnist' }), 'knn', 5)).toBe(
      'transfer_knn_top5_fashion_mnist',
    );
    expect(describeMetric('transfer_knn_top5_fashion_mnist').label.en).toBe(
      'Transfer to Fashion-MNIST: kNN top-5',
    );
    expect(transferTargetKey({ id: 'cifar100', coarseLabels: true })).toBe('cifar100_coarse');
    // Folders of different names never share a key.
    const folder = transferTargetKey({ id: 'imagefolder', dataDir: '/data/My Flowers/' });
    expect(folder).toBe('imagefolder_my_flowers');
    expect(describeMetric(transferMetricKey(folder, 'probe', 1)).label.en).toBe(
      'Transfer to Image folder (my_flowers): probe top-1',
    );
  });
});
