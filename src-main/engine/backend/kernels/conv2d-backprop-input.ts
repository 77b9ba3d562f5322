import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';

type Shape4 = [number, number, number, number];

/** Inserts s-1 zeros after every row/column: [n, h, w, c] -> [n, h*sh, w*sw, c]. */
function zeroInsert(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  const spread = tf.pad(tf.reshape(t, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, h * sh, w * sw, c]);
}

/** Pads (or, where negative, crops) the two spatial axes of an NHWC tensor. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  const cropped =
    top < 0 || bottom < 0 || left < 0 || right < 0
      ? tf.slice(
          t,
          [0, Math.max(0, -top), Math.max(0, -left), 0],
          [n, h - Math.max(0, -top) - Math.max(0, -bottom), w - Math.max(0, -left) - Math.max(0, -right), c],
        )
      : t;
  const [pt, pb, pl, pr] = [top, bottom, left, right].map((p) => Math.max(0, p));
  if (pt + pb + pl + pr === 0) return cropped;
  return tf.pad(cropped, [
    [0, 0],
    [pt, pb],
    [pl, pr],
    [0, 0],
  ]);
}

/**
 * Conv2DBackpropInput for the wasm backend, replacing the native one: that is a plain C++ loop,
 * several times slower than the XNNPACK forward convolution and half of a ResNet training step.
 * The input gradient is the forward correlation of dy, zero-interleaved by the stride, with the
 * filter rotated 180 degrees and its channel axes swapped:
 *   dx[h] = sum_a dyd[h + padTop - a] * W[a]  with  dyd[i * s] = dy[i]
 * A 1x1 filter commutes with the interleaving, so it is applied first, at the lower resolution.
 */
function conv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy: dyInfo, filter: filterInfo } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterInfo.shape as Shape4,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo } = info;
  const channelsLast = info.dataFormat === 'channelsLast';

  return tf.tidy(() => {
    const dyIn = asTensor<tf.Rank.R4>(dyInfo);
    const dy = channelsLast ? dyIn : tf.transpose(dyIn, [0, 2, 3, 1]);
    const filter = asTensor<tf.Rank.R4>(filterInfo);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
    // Padding of the interleaved dy (length ho * s) that makes the output exactly h x w.
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h - ho * sh + kh - 1 - top;
    const right = w - wo * sw + kw - 1 - left;
    let dx: tf.Tensor4D;
    if (kh === 1 && kw === 1) {
      dx = padOrCrop(zeroInsert(tf.conv2d(dy, flipped, 1, 'valid'), sh, sw), top, bottom, left, right);
    } else {
      const spread = zeroInsert(dy, sh, sw);
      const clamp = (p: number) => Math.max(0, p);
      const explicit: tf.backend_util.ExplicitPadding = [
        [0, 0],
        [clamp(top), clamp(bottom)],
        [clamp(left), clamp(right)],
        [0, 0],
      ];
      const full = tf.conv2d(spread, flipped, 1, explicit);
      // Negative padding: the correlation ran over extra rows/columns; drop them.
      dx = padOrCrop(full, Math.min(0, top), Math.min(0, bottom), Math.min(0, left), Math.min(0, right));
    }
    return channelsLast ? dx : tf.transpose(dx, [0, 3, 1, 2]);
  });
}

export const wasmConv2DBackpropInput: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
