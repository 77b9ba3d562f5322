import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { CMC_LAB_MEAN, CMC_LAB_STD, rgbToLab } from '../../../src-main/engine/data/lab';
import { infoNceQueueLoss } from '../../../src-main/engine/losses/infonce_queue';
import { CmcBanks, LabSplitBackbone } from '../../../src-main/engine/methods/cmc';
import { sampleNoiseIndices } from '../../../src-main/engine/methods/memory-bank';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { SmallConvNet } from '../../../src-main/engine/nn/backbones';
import { Rng } from '../../../src-main/engine/util/rng';
import {
  createInstance,
  ctxAt,
  expectHealthyRun,
  maxAbsDiff,
  optimiseStep,
  randomBatch,
  trainTiny,
} from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

const lab = (rgb: number[]) => {
  const t = tf.tensor4d(rgb, [1, 1, 1, 3]);
  const out = rgbToLab(t);
  const v = Array.from(out.dataSync());
  tf.dispose([t, out]);
  return v;
};

describe('RGB → Lab', () => {
  it('matches known values (skimage.color.rgb2lab, D65)', () => {
    const white = lab([1, 1, 1]);
    expect(white[0]).toBeCloseTo(100, 2);
    expect(Math.abs(white[1]!)).toBeLessThan(0.01);
    expect(Math.abs(white[2]!)).toBeLessThan(0.01);
    const red = lab([1, 0, 0]);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
    expect(lab([0, 0, 0]).map((v) => Math.abs(v))).toEqual([0, 0, 0].map(() => expect.closeTo(0, 4)));
    const green = lab([0, 1, 0]);
    expect(green[0]).toBeCloseTo(87.73, 1);
    expect(green[1]).toBeCloseTo(-86.18, 1);
    expect(green[2]).toBeCloseTo(83.18, 1);
    const grey = lab([0.5, 0.5, 0.5]); // the linear branch is not hit; L of 50 % sRGB grey is 53.39
    expect(grey[0]).toBeCloseTo(53.39, 1);
    const dark = lab([0.02, 0.02, 0.02]); // below 0.04045: the linear sRGB segment
    expect(dark[0]).toBeCloseTo(1.4, 1);
  });

  it('CMC normalisation maps L ∈ [0, 100] to [−1, 1]', () => {
    expect(CMC_LAB_MEAN[0]).toBe(50);
    expect(CMC_LAB_STD[0]).toBe(50);
  });
});

describe('cmc', () => {
  it('trains one epoch (in-batch softmax) without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('cmc'));
  });

  it('trains one epoch with the memory-bank objective (its softmax loss by default)', async () => {
    const points = await trainTiny('cmc', { objective: 'memory-bank', noiseSamples: 64 });
    expectHealthyRun(points);
    expect(points.filter((p) => p.key === 'loss_l')).toHaveLength(4);
  });

  it("scores each view's softmax against the other view's bank: infonce_queue on its rows", () => {
    const config = {
      temperature: 0.2,
      featureDim: 8,
      noiseSamples: 16,
      bankMomentum: 0.5,
      bankLoss: 'softmax' as const,
    };
    const banks = new CmcBanks(config, { rng: new Rng(3), trainSize: 40 });
    const state = banks.trainingState();
    const bankL = tf.clone(state.tensors.get('bank_l.rows')!) as tf.Tensor2D;
    const bankAb = tf.clone(state.tensors.get('bank_ab.rows')!) as tf.Tensor2D;
    // The negatives: one draw of noiseSamples rows from the noise stream where it stands, shared by the batch.
    const stream = new Rng(1);
    stream.position = state.values.get('noise.position') as number;
    const drawn = tf.reshape(sampleNoiseIndices(stream, 1, 16, 40), [-1]);
    const indices = Int32Array.from([5, 0, 17, 39]);
    const own = tf.tensor1d(indices, 'int32');
    const zL = tf.randomNormal([4, 8], 0, 1, 'float32', 1) as tf.Tensor2D;
    const zAb = tf.randomNormal([4, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const { loss, logs } = banks.loss(zL, zAb, indices);
    const against = (z: tf.Tensor2D, bank: tf.Tensor2D) =>
      infoNceQueueLoss(z, tf.gather(bank, own), tf.gather(bank, drawn), 0.2).dataSync()[0]!;
    const expectedL = against(zL, bankAb);
    const expectedAb = against(zAb, bankL);
    expect(logs!.loss_l!.dataSync()[0]).toBeCloseTo(expectedL, 5);
    expect(logs!.loss_ab!.dataSync()[0]).toBeCloseTo(expectedAb, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(expectedL + expectedAb, 5);
    // Against its own view's bank it would differ: the banks are crossed.
    expect(Math.abs(against(zL, bankL) - expectedL)).toBeGreaterThan(1e-3);
    tf.dispose([bankL, bankAb, drawn, own, zL, zAb, loss, ...Object.values(logs!)]);
    banks.dispose();
  });

  it.each(['softmax', 'nce'])(
    'updates both banks at the batch images after a %s step, and only there',
    (bankLoss) => {
      const { instance, config } = createInstance(
        'cmc',
        { objective: 'memory-bank', noiseSamples: 16, bankLoss },
        { trainSize: 32 },
      );
      const rows = () => {
        const state = instance.trainingState!();
        return ['bank_l.rows', 'bank_ab.rows'].map((k) => tf.clone(state.tensors.get(k)!));
      };
      const before = rows();
      const optimizer = createOptimizer(instance.trainableParameters(), {
        id: 'sgd',
        momentum: 0.9,
        weightDecay: 0,
      });
      const batchIndices = [3, 7, 8, 30];
      const others = Array.from({ length: 32 }, (_, i) => i).filter((i) => !batchIndices.includes(i));
      const batch = randomBatch('cmc', config, batchIndices);
      const loss = optimiseStep(instance, optimizer, batch, ctxAt(0));
      expect(Number.isFinite(loss)).toBe(true);
      const after = rows();
      for (const [i, bank] of after.entries()) {
        const old = before[i]!;
        // m = 0.5 pulls each batch row halfway towards its new embedding; every other row stays as it was.
        expect(maxAbsDiff(tf.gather(bank, batchIndices), tf.gather(old, batchIndices))).toBeGreaterThan(0.05);
        expect(maxAbsDiff(tf.gather(bank, others), tf.gather(old, others))).toBe(0);
      }
      tf.dispose([...before, ...after, ...batch.views]);
      optimizer.dispose();
      instance.dispose();
    },
  );

  it('evaluates the concatenation of an L encoder and an ab encoder of half width', () => {
    const rng = new Rng(1);
    const net = new LabSplitBackbone(new SmallConvNet(4, rng, 1), new SmallConvNet(4, rng, 2), {
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
    });
    // Pure white after the (x·std + mean) un-normalisation: L = 100 → 1 after CMC's normalisation, a, b ≈ 0.
    const white = tf.fill([2, 8, 8, 3], 2) as tf.Tensor4D;
    const [l, ab] = net.split(white);
    expect(l.shape).toEqual([2, 8, 8, 1]);
    expect(ab.shape).toEqual([2, 8, 8, 2]);
    expect(l.dataSync()[0]).toBeCloseTo(1, 3);
    expect(ab.dataSync()[0]).toBeCloseTo(-CMC_LAB_MEAN[1] / CMC_LAB_STD[1], 3);
    const f = net.forward(white, false);
    expect(f.shape).toEqual([2, net.outputDim]);
    expect(net.outputDim).toBe(64);
    tf.dispose([white, l, ab, f]);
    net.dispose();

    const { instance } = createInstance('cmc', { width: 8 });
    // Two encoders of width 4: 32 + 32 features, the size of one width-8 encoder.
    expect(instance.encoder.outputDim).toBe(64);
    instance.dispose();
  });

  it('refuses images without three colour channels', () => {
    expect(() => createInstance('cmc', {}, { channels: 1 })).toThrow(/L and ab/);
  });
});
