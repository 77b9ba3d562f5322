import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';

type Shape4 = [number, number, number, number];

/**
 * Conv2DBackpropFilter for the wasm backend, which does not ship one (tfjs 4.22), so convolutional
 * training fails there. The filter gradient
 *   dW[a, b, ci, co] = sum_{n, i, j} x[n, i*s + a - padTop, j*s + b - padLeft, ci] * dy[n, i, j, co]
 * is itself a forward convolution once the batch becomes the channel axis: convolve x as
 * [Ci, H, W, N] with dy as the filter [Ho, Wo, N, Co], dilated by the original stride, with stride 1
 * and the original top/left padding. That runs through the wasm Conv2D kernel (XNNPACK), which is far
 * faster than any per-element loop in JS.
 */
function conv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x: xInfo, dy: dyInfo } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    xInfo.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const channelsLast = info.dataFormat === 'channelsLast';

  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const xT = tf.transpose(x, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]); // [Ci, H, W, N]
    const dyT = tf.transpose(dy, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]); // [Ho, Wo, N, Co]
    // Bottom/right padding makes the output exactly kh x kw when the original convolution read that
    // far; when it stopped short (e.g. 'valid' with a stride), padding is 0 and we crop instead.
    const bottom = Math.max(0, kh + (info.outHeight - 1) * sh - info.inHeight - padInfo.top);
    const right = Math.max(0, kw + (info.outWidth - 1) * sw - info.inWidth - padInfo.left);
    const explicit: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [padInfo.top, bottom],
      [padInfo.left, right],
      [0, 0],
    ];
    let g = tf.conv2d(xT, dyT, 1, explicit, 'NHWC', [sh, sw]); // [Ci, >=kh, >=kw, Co]
    if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(g, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
  });
}

export const wasmConv2DBackpropFilter: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
