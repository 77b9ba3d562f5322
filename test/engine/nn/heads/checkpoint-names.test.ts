import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { DinoHead } from '../../../../src-main/engine/nn/heads/dino-head';
import { mlpHead } from '../../../../src-main/engine/nn/heads/mlp-head';
import { ProjectionHead } from '../../../../src-main/engine/nn/heads/projection-head';
import { projectionPredictor } from '../../../../src-main/engine/nn/heads/projection-predictor';
import { Prototypes } from '../../../../src-main/engine/nn/heads/prototypes';
import { WeightNormLinear } from '../../../../src-main/engine/nn/heads/weight-norm-linear';
import type { Module } from '../../../../src-main/engine/nn/module';
import { Rng } from '../../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Parameter and buffer names with shapes: what a checkpoint stores a head under (runner/checkpoint.ts). */
function stateNames(module: Module): { params: string[]; buffers: string[] } {
  const named = (list: [string, tf.Variable][]) => list.map(([n, v]) => `${n} [${v.shape.join(',')}]`);
  const out = { params: named(module.namedParameters()), buffers: named(module.namedBuffers()) };
  module.dispose();
  return out;
}

// Checkpoints store state by these names: a head that moves or is refactored must keep them.
describe('heads keep their checkpoint names', () => {
  it('mlpHead, with and without the last batch norm, and the BYOL / MoCo v3 predictor', () => {
    const plain = {
      params: ['0.weight [4,8]', '1.gamma [8]', '1.beta [8]', '3.weight [8,3]', '3.bias [3]'],
      buffers: ['1.running_mean [8]', '1.running_var [8]'],
    };
    expect(stateNames(mlpHead(4, 8, 3, 2, new Rng(1)))).toEqual(plain);
    expect(stateNames(mlpHead(4, 8, 3, 2, new Rng(1), true))).toEqual({
      params: ['0.weight [4,8]', '1.gamma [8]', '1.beta [8]', '3.weight [8,3]'],
      buffers: [
        '1.running_mean [8]',
        '1.running_var [8]',
        '4.gamma [3]',
        '4.beta [3]',
        '4.running_mean [3]',
        '4.running_var [3]',
      ],
    });
    expect(stateNames(projectionPredictor(4, 8, new Rng(1)))).toEqual({
      params: ['0.weight [4,8]', '1.gamma [8]', '1.beta [8]', '3.weight [8,4]', '3.bias [4]'],
      buffers: plain.buffers,
    });
  });

  it("SimCLR v2's ProjectionHead: one block per layer", () => {
    expect(stateNames(new ProjectionHead(4, 8, 3, 3, new Rng(1)))).toEqual({
      params: [
        '0.0.weight [4,8]',
        '0.1.gamma [8]',
        '0.1.beta [8]',
        '1.0.weight [8,8]',
        '1.1.gamma [8]',
        '1.1.beta [8]',
        '2.0.weight [8,3]',
      ],
      buffers: [
        '0.1.running_mean [8]',
        '0.1.running_var [8]',
        '1.1.running_mean [8]',
        '1.1.running_var [8]',
        '2.1.gamma [3]',
        '2.1.beta [3]',
        '2.1.running_mean [3]',
        '2.1.running_var [3]',
      ],
    });
  });

  it("DINO's head and its weight-normalised last layer", () => {
    expect(stateNames(new DinoHead(4, 8, 5, 6, new Rng(1)))).toEqual({
      params: [
        'mlp.0.weight [4,8]',
        'mlp.0.bias [8]',
        'mlp.1.weight [8,8]',
        'mlp.1.bias [8]',
        'mlp.2.weight [8,5]',
        'mlp.2.bias [5]',
        'last_layer.weight [5,6]',
      ],
      buffers: [],
    });
    expect(stateNames(new WeightNormLinear(5, 6, new Rng(1)))).toEqual({
      params: ['weight [5,6]'],
      buffers: [],
    });
  });

  it("SwAV's prototypes", () => {
    expect(stateNames(new Prototypes(10, 4, new Rng(1)))).toEqual({ params: ['weight [10,4]'], buffers: [] });
  });
});
