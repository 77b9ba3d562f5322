import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResNet18, SmallConvNet } from '../../../src-main/engine/nn/backbones';
import { BatchNorm } from '../../../src-main/engine/nn/layers';
import { mlpHead } from '../../../src-main/engine/nn/heads/mlp-head';
import { copyState } from '../../../src-main/engine/nn/module';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('network modules', () => {
  it('CIFAR ResNet-18 at width 64 has the 11.17M parameters of the reference model', () => {
    const net = new ResNet18(64, new Rng(1));
    // torchvision-style CIFAR ResNet-18 without its classifier: 11,168,832 weights (+ BN affine).
    expect(net.parameterCount()).toBe(11_168_832);
    expect(net.outputDim).toBe(512);
    net.dispose();
  });

  it('maps 32×32 images to feature vectors', () => {
    const rng = new Rng(2);
    for (const net of [new ResNet18(4, rng), new SmallConvNet(4, rng)]) {
      const y = net.forward(tf.randomNormal([2, 32, 32, 3]), true);
      expect(y.shape).toEqual([2, net.outputDim]);
      net.dispose();
    }
  });

  it('batch norm normalises with batch statistics in training and running statistics in eval', () => {
    const bn = new BatchNorm(2, 0.1);
    const x = tf.tensor2d([
      [1, 10],
      [3, 30],
    ]);
    const y = bn.forward(x, true);
    const ys = y.arraySync() as number[][];
    expect(ys[0]![0]).toBeCloseTo(-1, 3);
    expect(ys[1]![1]).toBeCloseTo(1, 3);
    const [mean, variance] = bn.namedBuffers().map(([, v]) => Array.from(v.dataSync()));
    // running = 0.9·init + 0.1·batch, with the unbiased variance (n/(n−1)).
    expect(mean).toEqual([expect.closeTo(0.2, 5), expect.closeTo(2, 5)]);
    expect(variance).toEqual([expect.closeTo(0.9 + 0.1 * 2, 5), expect.closeTo(0.9 + 0.1 * 200, 4)]);
    const evalOut = bn.forward(tf.tensor2d([[0.2, 2]]), false).arraySync() as number[][];
    expect(evalOut[0]![0]).toBeCloseTo(0, 4);
  });

  it('copyState makes two networks compute the same function', () => {
    const a = mlpHead(8, 16, 4, 2, new Rng(3));
    const b = mlpHead(8, 16, 4, 2, new Rng(4));
    const x = tf.randomNormal([5, 8]);
    expect(tf.max(tf.abs(tf.sub(a.forward(x, false), b.forward(x, false)))).dataSync()[0]).toBeGreaterThan(
      1e-3,
    );
    copyState(a, b);
    expect(tf.max(tf.abs(tf.sub(a.forward(x, false), b.forward(x, false)))).dataSync()[0]).toBeLessThan(1e-6);
  });
});
