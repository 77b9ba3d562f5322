import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import type { Backbone } from './backbones';

/**
 * A backbone followed by a head (projector), as one Module: the unit that momentum encoders, BYOL's
 * target network and DINO's teacher copy and average as a whole (see momentum.ts).
 */
export class Tower extends Module {
  constructor(
    readonly backbone: Backbone,
    readonly head: Module,
  ) {
    super();
    this.addModule('backbone', backbone);
    this.addModule('head', head);
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.head.forward(this.backbone.forward(x, training), training);
  }

  /** Disposes through the children, in case either holds more than its parameters and buffers. */
  override dispose(): void {
    this.backbone.dispose();
    this.head.dispose();
  }
}
