import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, stopGradient } from '../losses/common';
import { Module } from './module';
import { Dense, gelu } from './vit';
import type { Rng } from '../util/rng';

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

/**
 * DINO's projection head (Caron et al. 2021, Sec. 3 and appendix, `DINOHead`): a 3-layer MLP
 * (hidden width h, GELU, no batch norm) to a bottleneck of b dims, L2 normalisation, and a
 * weight-normalised linear layer to K prototype logits. Linear layers use trunc-normal(0.02) weights.
 */
export class DinoHead extends Module {
  private readonly layers: Dense[] = [];
  readonly lastLayer: WeightNormLinear;

  constructor(
    inDim: number,
    hiddenDim: number,
    bottleneckDim: number,
    prototypes: number,
    rng: Rng,
    nlayers = 3,
  ) {
    super();
    let d = inDim;
    for (let i = 0; i < nlayers; i++) {
      const out = i === nlayers - 1 ? bottleneckDim : hiddenDim;
      this.layers.push(this.addModule(`mlp.${i}`, new Dense(d, out, rng)));
      d = out;
    }
    this.lastLayer = this.addModule('last_layer', new WeightNormLinear(bottleneckDim, prototypes, rng));
  }

  /**
   * Features [N, in] → prototype logits [N, K]. `freezeLastLayer` stops the gradient of the last layer
   * (DINO freezes it during the first epoch, which "helps training": `cancel_gradients_last_layer`).
   */
  forward(x: tf.Tensor, _training = true, freezeLastLayer = false): tf.Tensor {
    let y = x;
    this.layers.forEach((layer, i) => {
      y = layer.forward(y);
      if (i < this.layers.length - 1) y = gelu(y);
    });
    return this.lastLayer.forward(l2Normalize(y as tf.Tensor2D), true, freezeLastLayer);
  }
}
