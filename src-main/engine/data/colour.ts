import * as tf from '@tensorflow/tfjs-core';

/**
 * Colour jitter and grayscale as per-image linear maps. Brightness, saturation, hue and grayscale are
 * each a C×C matrix on a pixel's colour; contrast is a scale plus an offset from the image's mean
 * brightness. So a whole batch takes one batched matMul per stage, with each image's own matrix, and
 * no per-pixel JS. Matrices are in row-vector form: pixel' = pixel · M.
 */

export type JitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';
export const jitterOps: readonly JitterOp[] = ['brightness', 'contrast', 'saturation', 'hue'];

/** Luma weights of torchvision's rgb_to_grayscale (ITU-R 601). */
export const GRAY_WEIGHTS = [0.2989, 0.587, 0.114] as const;

// RGB → YIQ (NTSC), column form: yiq = T · rgb.
const T = [
  [0.299, 0.587, 0.114],
  [0.596, -0.274, -0.322],
  [0.211, -0.523, 0.312],
];

function inverse3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

const T_INV = inverse3(T);

/** Writes the identity times `f` into `out` at `at` (C×C). */
function scaled(out: Float32Array, at: number, channels: number, f: number): void {
  for (let i = 0; i < channels; i++) {
    for (let j = 0; j < channels; j++) out[at + i * channels + j] = i === j ? f : 0;
  }
}

/**
 * Writes the matrix of one jitter op with factor `f` (for hue: the shift as a fraction of the colour
 * circle) into `out` at offset `at`. Contrast's matrix is only its scale; its offset is (1 - f) times the
 * image's mean gray (torchvision's adjust_contrast), added in `colourStage`.
 */
export function jitterMatrix(op: JitterOp, f: number, channels: number, out: Float32Array, at: number): void {
  if (channels !== 3) {
    // One channel has no saturation or hue; brightness and contrast still apply.
    scaled(out, at, channels, op === 'brightness' || op === 'contrast' ? f : 1);
    return;
  }
  switch (op) {
    case 'brightness':
    case 'contrast':
      scaled(out, at, 3, f);
      return;
    case 'saturation':
      // Blend with the grayscale image: x' = f x + (1 - f) gray(x).
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) out[at + i * 3 + j] = (i === j ? f : 0) + (1 - f) * GRAY_WEIGHTS[i];
      }
      return;
    case 'hue': {
      // torchvision and SimCLR shift hue in HSV; here the shift is a rotation of the chroma plane in YIQ,
      // its linear counterpart (luma is kept), so it fits the per-image matrix scheme. In YIQ the HSV hue
      // order red → yellow → green runs clockwise, hence the minus sign.
      const theta = -2 * Math.PI * f;
      const c = Math.cos(theta);
      const s = Math.sin(theta);
      const R = [
        [1, 0, 0],
        [0, c, -s],
        [0, s, c],
      ];
      // Column form T⁻¹ R T, stored transposed for the row-vector convention.
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          let v = 0;
          for (let k = 0; k < 3; k++) {
            for (let l = 0; l < 3; l++) v += T_INV[j]![k]! * R[k]![l]! * T[l]![i]!;
          }
          out[at + i * 3 + j] = v;
        }
      }
      return;
    }
  }
}

/** Writes the matrix that replaces every channel with the pixel's gray value. */
export function grayscaleMatrix(channels: number, out: Float32Array, at: number): void {
  if (channels !== 3) {
    scaled(out, at, channels, 1);
    return;
  }
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[at + i * 3 + j] = GRAY_WEIGHTS[i];
}

/**
 * One colour stage on a batch shaped [N, pixels, C]: x' = clip(x · M_n + k_n · gray mean of x_n) with
 * each image's matrix M_n (N×C×C) and contrast offset coefficient k_n (0 where the stage is not contrast).
 * Clipping after every stage follows SimCLR's colour jitter.
 */
export function colourStage(
  x: tf.Tensor3D,
  matrices: Float32Array,
  contrastOffset: Float32Array | null,
  clip: boolean,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, , c] = x.shape;
    let y: tf.Tensor3D = tf.matMul(x, tf.tensor3d(matrices, [n, c, c]));
    if (contrastOffset) {
      const weights = c === 3 ? [...GRAY_WEIGHTS] : new Array<number>(c).fill(1 / c);
      const grayMean = tf.matMul(tf.mean(x, 1) as tf.Tensor2D, tf.tensor2d(weights, [c, 1])); // [N, 1]
      const offset = tf.reshape(tf.mul(grayMean, tf.tensor2d(contrastOffset, [n, 1])), [n, 1, 1]);
      y = tf.add(y, offset);
    }
    return clip ? tf.clipByValue(y, 0, 1) : y;
  });
}
