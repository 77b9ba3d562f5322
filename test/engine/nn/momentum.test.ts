import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { mlpHead } from '../../../src-main/engine/nn/heads/mlp-head';
import { initTarget, momentumUpdate } from '../../../src-main/engine/nn/momentum';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (m: { state(): tf.Variable[] }) => m.state().map((v) => Array.from(v.dataSync()));

describe('momentumUpdate', () => {
  it('moves every parameter and BN buffer of the target by exactly (1 − m)·(online − target)', () => {
    const online = mlpHead(6, 8, 4, 2, new Rng(1));
    const target = mlpHead(6, 8, 4, 2, new Rng(2));
    // Give the BN running statistics different values on both sides.
    online.forward(tf.randomNormal([5, 6], 0, 1, 'float32', 3), true);
    const o = values(online);
    const t = values(target);
    momentumUpdate(online, target, 0.9);
    const after = values(target);
    let moved = 0;
    after.forEach((vals, i) =>
      vals.forEach((v, j) => {
        const want = t[i]![j]! + 0.1 * (o[i]![j]! - t[i]![j]!);
        expect(v).toBeCloseTo(want, 6);
        if (o[i]![j] !== t[i]![j]) moved++;
      }),
    );
    expect(moved).toBeGreaterThan(0);
    // The online network is untouched.
    expect(values(online)).toEqual(o);
    online.dispose();
    target.dispose();
  });

  it('m = 1 leaves the target alone, m = 0 copies the online network', () => {
    const online = mlpHead(3, 4, 2, 2, new Rng(1));
    const target = mlpHead(3, 4, 2, 2, new Rng(2));
    const t = values(target);
    momentumUpdate(online, target, 1);
    expect(values(target)).toEqual(t);
    momentumUpdate(online, target, 0);
    expect(values(target)).toEqual(values(online));
    online.dispose();
    target.dispose();
  });

  it('initTarget starts the target as an exact copy; mismatched modules are rejected', () => {
    const online = mlpHead(3, 4, 2, 2, new Rng(1));
    const target = initTarget(online, mlpHead(3, 4, 2, 2, new Rng(2)));
    expect(values(target)).toEqual(values(online));
    const other = mlpHead(3, 4, 2, 3, new Rng(2));
    expect(() => momentumUpdate(online, other, 0.9)).toThrow(/different structure/);
    expect(() => momentumUpdate(online, target, 1.5)).toThrow(RangeError);
    [online, target, other].forEach((m) => m.dispose());
  });

  it('allocates no tensors', () => {
    const online = mlpHead(3, 4, 2, 2, new Rng(1));
    const target = mlpHead(3, 4, 2, 2, new Rng(2));
    const before = tf.memory().numTensors;
    momentumUpdate(online, target, 0.99);
    expect(tf.memory().numTensors).toBe(before);
    online.dispose();
    target.dispose();
  });
});
