import type * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, Linear, ReLU } from '../layers';
import { Module, Sequential } from '../module';
import type { Rng } from '../../util/rng';

/**
 * SimCLR v2's projection head (Chen et al. 2020b, Sec. 2): `layers` linear layers, each followed by batch norm,
 * with ReLU after all but the last; the last batch norm has no affine parameters (the released head, the same
 * as mlpHead(…, lastBatchNorm = true) of ./mlp-head). Kept as separate blocks so the output after any layer — the
 * "middle layer" that v2 fine-tunes from — can be read.
 */
export class ProjectionHead extends Module {
  private readonly blocks: Sequential[] = [];
  readonly dims: number[];

  constructor(inDim: number, hiddenDim: number, outDim: number, layers: number, rng: Rng) {
    super();
    this.dims = [inDim];
    let d = inDim;
    for (let i = 0; i < layers; i++) {
      const last = i === layers - 1;
      const out = last ? outDim : hiddenDim;
      const block = last
        ? new Sequential([new Linear(d, out, rng, false), new BatchNorm(out, 0.1, 1e-5, false)])
        : new Sequential([new Linear(d, out, rng, false), new BatchNorm(out), new ReLU()]);
      this.blocks.push(this.addModule(String(i), block));
      this.dims.push(out);
      d = out;
    }
  }

  get layers(): number {
    return this.blocks.length;
  }

  /** The output after the first `upTo` layers (all by default). */
  forward(x: tf.Tensor, training: boolean, upTo = this.blocks.length): tf.Tensor {
    let y = x;
    for (let i = 0; i < upTo; i++) y = this.blocks[i]!.forward(y, training);
    return y;
  }
}
