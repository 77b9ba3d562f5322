import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../../src-main/engine/backend/gradients';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { batchNormTrain } from '../../../src-main/engine/backend/kernels/batch-norm-train';
import { ResNet18 } from '../../../src-main/engine/nn/backbones';
import { mlpHead } from '../../../src-main/engine/nn/heads/mlp-head';
import { BatchNorm } from '../../../src-main/engine/nn/layers';
import type { Module } from '../../../src-main/engine/nn/module';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  BatchNorm.fusedKernels = true;
});

/** The unfused reference: tf.moments and tf.batchNorm (as BatchNorm computed it before), then add, relu. */
function reference(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  relu: boolean,
  residual?: tf.Tensor,
) {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes);
  let y = tf.batchNorm(x, mean, variance, beta, gamma, eps);
  if (residual) y = tf.add(y, residual);
  if (relu) y = tf.relu(y);
  return { y, mean, variance };
}

type BnFn = typeof reference;

/** y, mean, variance and the gradients of Σ w·y with respect to x, γ, β (and the residual). */
function outputsAndGrads(fn: BnFn, shape: number[], relu: boolean, withResidual: boolean, seed: number) {
  return tf.tidy(() => {
    const c = shape[shape.length - 1]!;
    // An offset and scale per channel, so the statistics are far from 0 and 1.
    const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), tf.linspace(0.5, 3, c)), 2);
    const gamma = tf.randomNormal([c], 1, 0.5, 'float32', seed + 1);
    const beta = tf.randomNormal([c], 0, 0.5, 'float32', seed + 2);
    const residual = withResidual ? tf.randomNormal(shape, 0, 1, 'float32', seed + 3) : undefined;
    const w = tf.randomNormal(shape, 0, 1, 'float32', seed + 4);
    const inputs = residual ? [x, gamma, beta, residual] : [x, gamma, beta];
    const f = (...ts: tf.Tensor[]) =>
      tf.sum(tf.mul(fn(ts[0]!, ts[1]!, ts[2]!, 1e-5, relu, ts[3]).y, w)) as tf.Scalar;
    const grads = tf.grads(f)(inputs);
    const { y, mean, variance } = fn(x, gamma, beta, 1e-5, relu, residual);
    return [y, mean, variance, ...grads];
  });
}

/** Largest |a − b| over the largest |a| (at least 1). */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  expect(b.shape).toEqual(a.shape);
  const av = a.dataSync();
  const bv = b.dataSync();
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < av.length; i++) {
    diff = Math.max(diff, Math.abs(av[i]! - bv[i]!));
    scale = Math.max(scale, Math.abs(av[i]!));
  }
  return diff / scale;
}

const cases: [string, number[], boolean, boolean][] = [
  ['NHWC map', [4, 5, 3, 6], false, false],
  ['NHWC map + ReLU', [4, 5, 3, 6], true, false],
  ['NHWC map + residual + ReLU', [3, 4, 4, 5], true, true],
  ['[N, D] vectors + ReLU', [9, 7], true, false],
  ['[N, D] vectors', [2, 3], false, false],
];

describe('fused batch norm (training) matches tf.moments + tf.batchNorm on the cpu backend', () => {
  for (const [name, shape, relu, residual] of cases) {
    it(`${name}: output, batch statistics and the gradients of x, γ, β${residual ? ', residual' : ''}`, () => {
      const fused = outputsAndGrads(batchNormTrain as unknown as BnFn, shape, relu, residual, 7);
      const ref = outputsAndGrads(reference, shape, relu, residual, 7);
      expect(fused).toHaveLength(ref.length);
      const labels = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta', 'dresidual'];
      ref.forEach((r, i) => {
        expect(relativeError(r, fused[i]!), labels[i]).toBeLessThan(2e-5);
        // Not vacuous: every compared output has non-zero entries.
        expect(tf.max(tf.abs(r)).dataSync()[0], labels[i]).toBeGreaterThan(1e-3);
      });
      tf.dispose([...fused, ...ref]);
    });
  }

  it('gives the ReLU gradient 0 where the pre-activation is exactly 0, as tf.relu does', () => {
    // Two rows per channel normalise to −1 and +1; with β = 1 channel 0's first value is exactly 0.
    const x = tf.tensor2d([
      [0, 5],
      [2, 9],
    ]);
    const gamma = tf.ones([2]);
    const beta = tf.tensor1d([1, 0]);
    const f = (fn: BnFn) => tf.grads((xx: tf.Tensor) => tf.sum(fn(xx, gamma, beta, 0, true).y))([x])[0]!;
    expect(relativeError(f(reference), f(batchNormTrain as unknown as BnFn))).toBeLessThan(1e-6);
  });

  it('BatchNorm updates its running statistics identically with and without the fused kernel', () => {
    const run = (fused: boolean) => {
      BatchNorm.fusedKernels = fused;
      const bn = new BatchNorm(4, 0.1);
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => bn.forwardReLU(tf.randomNormal([5, 3, 3, 4], step, 2, 'float32', step + 1), true));
      }
      const buffers = bn.namedBuffers().map(([, v]) => v.clone());
      bn.dispose();
      return buffers;
    };
    const fused = run(true);
    const ref = run(false);
    ref.forEach((r, i) => expect(relativeError(r, fused[i]!)).toBeLessThan(1e-6));
    tf.dispose([...fused, ...ref]);
  });

  it('leaves no tensors behind in a training step', () => {
    const bn = new BatchNorm(3);
    const x = tf.randomNormal([4, 2, 2, 3]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(bn.forwardReLU(x, true, x)) as tf.Scalar);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    bn.dispose();
    x.dispose();
  });
});

/** Loss and the gradient of every trainable parameter of a network, training mode. */
function networkGrads(net: Module, x: tf.Tensor, fused: boolean): tf.Tensor[] {
  BatchNorm.fusedKernels = fused;
  const params = net.parameters();
  const { value, grads } = tf.variableGrads(() => {
    const y = net.forward(x, true);
    return tf.sum(tf.mul(y, tf.linspace(-1, 1, y.shape[y.shape.length - 1]!))) as tf.Scalar;
  }, params);
  return [value, ...params.map((p) => grads[p.name]!)];
}

describe('networks train identically with the fused batch norm', () => {
  it('ResNet-18 (BN+ReLU, BN+residual+ReLU, shortcut BN): loss and every parameter gradient', () => {
    const net = new ResNet18(4, new Rng(5));
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 11);
    const fused = networkGrads(net, x, true);
    const ref = networkGrads(net, x, false);
    ref.forEach((r, i) =>
      expect(relativeError(r, fused[i]!), net.namedParameters()[i - 1]?.[0]).toBeLessThan(1e-4),
    );
    tf.dispose([...fused, ...ref, x]);
    net.dispose();
  });

  it('an MLP head ([N, D] batch norm)', () => {
    const head = mlpHead(6, 10, 4, 2, new Rng(6));
    const x = tf.randomNormal([8, 6], 0, 1, 'float32', 12);
    const fused = networkGrads(head, x, true);
    const ref = networkGrads(head, x, false);
    ref.forEach((r, i) => expect(relativeError(r, fused[i]!)).toBeLessThan(1e-5));
    tf.dispose([...fused, ...ref, x]);
    head.dispose();
  });
});
