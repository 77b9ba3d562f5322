import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../../losses/common';
import { Module } from '../module';
import type { Rng } from '../../util/rng';

/**
 * SwAV's prototype vectors c_1 … c_K (Caron et al. 2020, Sec. 3.1) as rows of one [K, D] weight (a linear layer
 * without bias in SwAV's code), initialised as random unit vectors; forward gives the scores x Cᵀ.
 */
export class Prototypes extends Module {
  readonly weight: tf.Variable;

  constructor(count: number, dim: number, rng: Rng) {
    super();
    const data = new Float32Array(count * dim);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    this.weight = this.addParam(
      'weight',
      tf.tidy(() => l2Normalize(tf.tensor2d(data, [count, dim]))),
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D, false, true);
  }
}
