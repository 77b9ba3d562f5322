import * as tf from '@tensorflow/tfjs-core';
import { Backbone } from '../nn/backbones';

/**
 * The overlapping patch grid of CPC on images (van den Oord et al. 2018, Sec. 3.3; Hénaff et al. 2019, Sec. 4):
 * a 256×256 image becomes a 7×7 grid of 64×64 patches with stride 32. On 32×32 images, 8×8 patches with
 * stride 4 give the same 7×7 grid; paperPatchGrid scales it to any image side.
 */

/**
 * CPC's patches for `imageSize`-px images: the stride an eighth of the side (⌊imageSize/8⌋) and patches
 * twice the stride, overlapping by half, as the paper's 64-px patches with stride 32 on 256 px (and 8 with
 * stride 4 on 32 px). That gives a 7×7 grid wherever the side is a multiple of 8 or at least 64 px, and up
 * to 10×10 on the smallest sides. A `patchSize` or `stride` above 0 is the user's own and is kept; a
 * patch size alone gets the stride of half of it.
 */
export function paperPatchGrid(
  imageSize: number,
  patchSize = 0,
  stride = 0,
): { patchSize: number; stride: number } {
  const step =
    stride > 0
      ? stride
      : patchSize > 0
        ? Math.max(1, Math.floor(patchSize / 2))
        : Math.max(1, Math.floor(imageSize / 8));
  return { patchSize: patchSize > 0 ? patchSize : 2 * step, stride: step };
}

/** Patches along one side: ⌊(size − patch)/stride⌋ + 1. */
export function patchGridSize(imageSize: number, patchSize: number, stride: number): number {
  if (!Number.isInteger(patchSize) || patchSize < 1 || patchSize > imageSize) {
    throw new Error(`patch size ${patchSize} must be between 1 and the image size ${imageSize}`);
  }
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`patch stride must be ≥ 1, got ${stride}`);
  return Math.floor((imageSize - patchSize) / stride) + 1;
}

/**
 * NHWC images → [N·R·C, p, p, channels] patches, ordered image by image, then row by row, then column by
 * column, so a reshape to [N, R, C, …] recovers the grid.
 */
export function extractPatches(images: tf.Tensor4D, patchSize: number, stride: number): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  const rows = patchGridSize(h, patchSize, stride);
  const cols = patchGridSize(w, patchSize, stride);
  return tf.tidy(() => {
    const patches: tf.Tensor4D[] = [];
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        patches.push(tf.slice(images, [0, r * stride, q * stride, 0], [n, patchSize, patchSize, c]));
      }
    }
    return tf.reshape(tf.stack(patches, 1), [n * rows * cols, patchSize, patchSize, c]) as tf.Tensor4D;
  });
}

/**
 * A whole-image encoder built from a patch encoder: every patch of the grid is encoded (all patches of the
 * batch as one batch) and, as a Backbone, the patch features are mean-pooled over the grid — the image
 * representation our kNN monitor and linear probe read (Hénaff et al. 2019 pool the grid of patch features
 * spatially for their linear classifier as well).
 */
export class PatchGridEncoder extends Backbone {
  readonly outputDim: number;
  private readonly patchEncoder: Backbone;

  constructor(
    patchEncoder: Backbone,
    readonly patchSize: number,
    readonly stride: number,
  ) {
    super();
    this.patchEncoder = this.addModule('patch', patchEncoder);
    this.outputDim = patchEncoder.outputDim;
  }

  /** Patch features on the grid: images [N,H,W,C] → [N, R, C, D]. */
  encodeGrid(images: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const [n, h, w] = images.shape;
    const rows = patchGridSize(h, this.patchSize, this.stride);
    const cols = patchGridSize(w, this.patchSize, this.stride);
    const z = this.patchEncoder.forward(extractPatches(images, this.patchSize, this.stride), training);
    return tf.reshape(z, [n, rows, cols, this.outputDim]) as tf.Tensor4D;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.mean(this.encodeGrid(x as tf.Tensor4D, training), [1, 2]);
  }
}
