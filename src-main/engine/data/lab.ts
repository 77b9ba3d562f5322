import * as tf from '@tensorflow/tfjs-core';

/**
 * sRGB → CIE L*a*b* (D65 white, 2° observer) as tensor ops, the conversion of skimage.color.rgb2lab that CMC's
 * released code applies before splitting an image into its L and ab views (Tian et al. 2019, Sec. 4.1).
 */

/** Linear sRGB → XYZ (D65), rows X, Y, Z (skimage's xyz_from_rgb). */
const XYZ_FROM_RGB = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
] as const;

/** The D65 reference white in XYZ (skimage's illuminants['D65']['2']). */
const D65_WHITE = [0.95047, 1.0, 1.08883] as const;

/**
 * The Lab normalisation of CMC's released training script: each channel mapped from its range to about
 * [−1, 1], mean = (min + max)/2 and std = (max − min)/2 with L ∈ [0, 100], a ∈ [−86.183, 98.233],
 * b ∈ [−107.857, 94.478].
 */
export const CMC_LAB_MEAN = [(0 + 100) / 2, (-86.183 + 98.233) / 2, (-107.857 + 94.478) / 2] as const;
export const CMC_LAB_STD = [(100 - 0) / 2, (86.183 + 98.233) / 2, (107.857 + 94.478) / 2] as const;

/**
 * NHWC RGB in [0, 1] (values outside are clamped) → NHWC Lab with L in [0, 100] and a, b roughly in [−128, 127].
 * sRGB companding: c ≤ 0.04045 ? c/12.92 : ((c + 0.055)/1.055)^2.4; XYZ = M · rgb; t = XYZ / white;
 * f(t) = t > 0.008856 ? t^(1/3) : 7.787 t + 16/116; L = 116 f(Y) − 16, a = 500 (f(X) − f(Y)), b = 200 (f(Y) − f(Z)).
 */
export function rgbToLab(rgb: tf.Tensor4D): tf.Tensor4D {
  if (rgb.shape[3] !== 3) throw new Error(`rgbToLab needs 3 channels, got ${rgb.shape[3]}`);
  return tf.tidy(() => {
    const c = tf.clipByValue(rgb, 0, 1);
    // Both branches are evaluated; the power's base is kept positive so the unused branch stays finite.
    const linear = tf.where(
      tf.lessEqual(c, 0.04045),
      tf.div(c, 12.92),
      tf.pow(tf.div(tf.add(tf.maximum(c, 0.04045), 0.055), 1.055), 2.4),
    );
    const flat = tf.reshape(linear, [-1, 3]) as tf.Tensor2D;
    const m = tf.tensor2d(XYZ_FROM_RGB.map((row, i) => row.map((v) => v / D65_WHITE[i]!)));
    const t = tf.matMul(flat, m, false, true); // [P,3]: X/Xn, Y/Yn, Z/Zn
    const f = tf.where(
      tf.greater(t, 0.008856),
      tf.pow(tf.maximum(t, 0.008856), 1 / 3),
      tf.add(tf.mul(t, 7.787), 16 / 116),
    );
    const [fx, fy, fz] = tf.split(f, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const lab = tf.concat(
      [tf.sub(tf.mul(fy, 116), 16), tf.mul(tf.sub(fx, fy), 500), tf.mul(tf.sub(fy, fz), 200)],
      1,
    );
    return tf.reshape(lab, rgb.shape) as tf.Tensor4D;
  });
}

/** (Lab − mean)/std per channel with CMC's constants: the network inputs of its L and ab encoders. */
export function normalizeLab(lab: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(
    () => tf.div(tf.sub(lab, tf.tensor1d([...CMC_LAB_MEAN])), tf.tensor1d([...CMC_LAB_STD])) as tf.Tensor4D,
  );
}
