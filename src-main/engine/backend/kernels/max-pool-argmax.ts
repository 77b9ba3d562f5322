import * as tf from '@tensorflow/tfjs-core';

export interface PoolArgmax {
  /** The pooled maxima, [n, outHeight, outWidth, c]. */
  values: tf.Tensor4D;
  /**
   * Flat index of each maximum in x, ((b * h + y) * w + x) * c + ch, or without the batch term;
   * -1 where a window held nothing but padding (only possible when x is all -Infinity or NaN there).
   */
  index: tf.Tensor4D;
}

/**
 * Where each max-pooling window's maximum sits, computed from wasm kernels known to be right:
 * the wasm MaxPoolGrad and MaxPoolWithArgmax (tfjs 4.22) start their running maximum at
 * FLT_MIN (the smallest positive float) instead of -Infinity, so any window whose maximum is <= 0
 * (after a relu, every all-zero window) sends its gradient to element 0 of the tensor. Here each of
 * the kh*kw window offsets is a strided slice of the -Infinity-padded input, and a strict `greater`
 * keeps the first maximum on ties, as the cpu backend and TensorFlow do. Call inside tf.tidy.
 */
export function maxPoolArgmax(
  x: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  withBatch = true,
): PoolArgmax {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const bottom = Math.max(0, (ho - 1) * sh + info.effectiveFilterHeight - h - padInfo.top);
  const right = Math.max(0, (wo - 1) * sw + info.effectiveFilterWidth - w - padInfo.left);
  const padded = tf.pad(
    x,
    [
      [0, 0],
      [padInfo.top, bottom],
      [padInfo.left, right],
      [0, 0],
    ],
    x.dtype === 'float32' ? -Infinity : -(2 ** 31),
  );

  let best: tf.Tensor4D | null = null;
  let offset: tf.Tensor4D = tf.zeros([n, ho, wo, c], 'int32'); // a * kw + b of the current best
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const [r0, c0] = [a * dh, b * dw];
      const v = tf.stridedSlice(
        padded,
        [0, r0, c0, 0],
        [n, r0 + (ho - 1) * sh + 1, c0 + (wo - 1) * sw + 1, c],
        [1, sh, sw, 1],
      ) as tf.Tensor4D;
      if (best === null) {
        best = v;
        continue;
      }
      const better: tf.Tensor = tf.greater(v, best);
      best = tf.where(better, v, best);
      offset = tf.where(better, tf.fill([n, ho, wo, c], a * kw + b, 'int32'), offset);
    }
  }

  // Index arithmetic stays in int32: a JS number operand would promote it to float32, which is
  // exact only below 2^24 elements.
  const i32 = (v: number) => tf.scalar(v, 'int32');
  const range = (size: number, shape: number[]) => tf.reshape(tf.range(0, size, 1, 'int32'), shape);
  const rowOfWindow = tf.mul(range(ho, [1, ho, 1, 1]), i32(sh));
  const colOfWindow = tf.mul(range(wo, [1, 1, wo, 1]), i32(sw));
  const a = tf.floorDiv(offset, i32(kw));
  const b = tf.sub(offset, tf.mul(a, i32(kw)));
  const row = tf.sub(tf.add(rowOfWindow, tf.mul(a, i32(dh))), i32(padInfo.top));
  const col = tf.sub(tf.add(colOfWindow, tf.mul(b, i32(dw))), i32(padInfo.left));
  const batchRow = withBatch ? tf.add(tf.mul(range(n, [n, 1, 1, 1]), i32(h)), row) : row;
  const flat = tf.add(tf.mul(tf.add(tf.mul(batchRow, i32(w)), col), i32(c)), range(c, [1, 1, 1, c]));
  const inside = tf.logicalAnd(
    tf.logicalAnd(tf.greaterEqual(row, 0), tf.less(row, h)),
    tf.logicalAnd(tf.greaterEqual(col, 0), tf.less(col, w)),
  );
  const index = tf.where(inside, flat, tf.fill(flat.shape, -1, 'int32')) as tf.Tensor4D;
  return { values: best as tf.Tensor4D, index };
}
