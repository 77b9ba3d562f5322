import type * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../../losses/common';
import { Module } from '../module';
import { Dense, gelu } from '../vit';
import type { Rng } from '../../util/rng';
import { WeightNormLinear } from './weight-norm-linear';

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
