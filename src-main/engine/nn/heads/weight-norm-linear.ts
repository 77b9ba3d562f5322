import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, stopGradient } from '../../losses/common';
import { Module } from '../module';
import type { Rng } from '../../util/rng';

/**
 * A weight-normalised linear layer without bias, with the gain g fixed to 1 (Salimans & Kingma 2016;
 * DINO's `weight_norm(nn.Linear(bottleneck, K, bias=False))` with `weight_g` frozen at 1): the effective
 * weight of output k is v_k/‖v_k‖, so every prototype is a unit vector and the logits of an
 * L2-normalised input are cosine similarities.
 */
export class WeightNormLinear extends Module {
  private readonly weight: tf.Variable;

  constructor(inFeatures: number, outFeatures: number, rng: Rng) {
    super();
    const data = new Float32Array(inFeatures * outFeatures);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.02;
    this.weight = this.addParam('weight', tf.tensor2d(data, [inFeatures, outFeatures]));
  }

  /** The unit-norm effective weight [in, out]; `frozen` stops its gradient. */
  effectiveWeight(frozen = false): tf.Tensor2D {
    const v = frozen ? stopGradient(this.weight as tf.Tensor2D) : (this.weight as tf.Tensor2D);
    return l2Normalize(v, 0);
  }

  forward(x: tf.Tensor, _training = true, frozen = false): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, this.effectiveWeight(frozen));
  }
}
