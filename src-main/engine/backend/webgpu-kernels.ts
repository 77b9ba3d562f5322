import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './kernels/as-tensor';

type Shape4 = [number, number, number, number];

/** Rows of the filter-gradient matrix product per batched slice: enough work per GPU workgroup. */
const ROWS_PER_SLICE = 1024;

/**
 * Conv2DBackpropFilter for the webgpu backend. tfjs-backend-webgpu 4.22's own runs one GPU thread per
 * filter weight, each summing over the whole batch and image (N·Ho·Wo products in a serial loop), so
 * a first ResNet layer leaves the GPU nearly idle. The filter gradient
 *   dW[a, b, ci, co] = sum_{n, i, j} x[n, i*sh + a - padTop, j*sw + b - padLeft, ci] * dy[n, i, j, co]
 * is a matrix product Pᵀ·dy, with P the im2col patches (rows n·i·j, columns (a, b, ci)) and dy
 * reshaped to rows n·i·j by Co. Its rows are split into slices multiplied as one batched matmul
 * (tfjs's tiled kernel, many workgroups), then the slices' products are summed.
 */
function conv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x: xInfo, dy: dyInfo } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    xInfo.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co } = info;
  const channelsLast = info.dataFormat === 'channelsLast';

  return tf.tidy(() => {
    let x = asTensor<tf.Rank.R4>(xInfo);
    let dy = asTensor<tf.Rank.R4>(dyInfo);
    if (!channelsLast) {
      x = tf.transpose(x, [0, 2, 3, 1]);
      dy = tf.transpose(dy, [0, 2, 3, 1]);
    }
    // Pad so that every patch lies inside; past what the convolution read, nothing is needed.
    const bottom = Math.max(0, (ho - 1) * sh + kh - info.inHeight - padInfo.top);
    const right = Math.max(0, (wo - 1) * sw + kw - info.inWidth - padInfo.left);
    const xp = tf.pad(x, [
      [0, 0],
      [padInfo.top, bottom],
      [padInfo.left, right],
      [0, 0],
    ]);
    const columns: tf.Tensor4D[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const end = [n, a + (ho - 1) * sh + 1, b + (wo - 1) * sw + 1, ci];
        columns.push(tf.stridedSlice(xp, [0, a, b, 0], end, [1, sh, sw, 1]) as tf.Tensor4D); // [n, ho, wo, ci]
      }
    }
    const patches = columns.length === 1 ? columns[0]! : tf.concat(columns, 3); // [n, ho, wo, kh·kw·ci]
    const slices = n / imagesPerSlice(n, ho * wo);
    const rows = (n * ho * wo) / slices;
    const products = tf.matMul(
      tf.reshape(patches, [slices, rows, kh * kw * ci]),
      tf.reshape(dy, [slices, rows, co]),
      true,
      false,
    ); // [slices, kh·kw·ci, co]
    return tf.reshape(tf.sum(products, 0), [kh, kw, ci, co]);
  });
}

/** The fewest images (a divisor of n) whose output pixels make at least ROWS_PER_SLICE rows. */
function imagesPerSlice(n: number, pixels: number): number {
  for (let m = 1; m < n; m++) {
    if (n % m === 0 && m * pixels >= ROWS_PER_SLICE) return m;
  }
  return n;
}

export const webgpuConv2DBackpropFilter: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};

/** Kernels of tfjs-backend-webgpu 4.22 replaced by the project's. Idempotent. */
export function registerWebgpuKernels(): void {
  for (const config of [webgpuConv2DBackpropFilter]) {
    const current = tf.getKernel(config.kernelName, 'webgpu');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) tf.unregisterKernel(config.kernelName, 'webgpu');
    tf.registerKernel(config);
  }
}
