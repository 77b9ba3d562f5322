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

/** Non-negative remainder. */
function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/**
 * The phases of a strided input gradient along one axis. Output position h = s·u + p (phase p) only
 * meets the filter taps a ≡ p + pad (mod s): dx[s·u + p] = Σ_j dy[u + c_p − j] · W[a0_p + s·j]. Every
 * phase reads dy in a window [u + lo, u + lo + size) with the same lo; tapAt[p][v] is the tap at window
 * position v for phase p, or −1 where the phase has none.
 */
interface PhaseWindow {
  lo: number;
  size: number;
  tapAt: number[][];
}

function phaseWindow(stride: number, kernel: number, pad: number): PhaseWindow {
  const phases = Array.from({ length: stride }, (_, p) => {
    const a0 = mod(p + pad, stride);
    const count = a0 < kernel ? Math.ceil((kernel - a0) / stride) : 0;
    return { a0, c: (p + pad - a0) / stride, count };
  });
  const used = phases.filter((ph) => ph.count > 0);
  const lo = Math.min(...used.map((ph) => ph.c - ph.count + 1));
  const hi = Math.max(...used.map((ph) => ph.c));
  const size = hi - lo + 1;
  const tapAt = phases.map((ph) =>
    Array.from({ length: size }, (_, v) => {
      const j = ph.c - lo - v;
      return j >= 0 && j < ph.count ? ph.a0 + stride * j : -1;
    }),
  );
  return { lo, size, tapAt };
}

/**
 * The input gradient of a convolution with stride s > 1 (the same in both axes) by phases (a polyphase
 * decomposition): output rows and columns of phase (p, q) are a stride-1 correlation of dy with the
 * sub-filter of the taps that reach them (phaseWindow). All s² sub-filters, aligned in one window, form
 * one filter with s²·Ci output channels, so a single XNNPACK convolution computes every phase, and
 * depthToSpace interleaves them. For a 3×3 filter with stride 2 that is 16 products per 2×2 output
 * block instead of the 36 of a correlation over dy with zeros inserted, 27 of which multiply a zero.
 */
function phasedInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  h: number,
  w: number,
  s: number,
  padTop: number,
  padLeft: number,
): tf.Tensor4D {
  const [n, ho, wo, co] = dy.shape;
  const [kh, kw, ci] = filter.shape;
  const rows = phaseWindow(s, kh, padTop);
  const cols = phaseWindow(s, kw, padLeft);
  const uh = Math.ceil(h / s);
  const vw = Math.ceil(w / s);
  // Tap indices into [Co, kh·kw + 1, Ci] (the last tap all zeros), ordered (vh, vw, p, q).
  const zeroTap = kh * kw;
  const index: number[] = [];
  for (let vh = 0; vh < rows.size; vh++) {
    for (let vv = 0; vv < cols.size; vv++) {
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const a = rows.tapAt[p]![vh]!;
          const b = cols.tapAt[q]![vv]!;
          index.push(a < 0 || b < 0 ? zeroTap : a * kw + b);
        }
      }
    }
  }
  const taps = tf.pad(tf.reshape(tf.transpose(filter, [3, 0, 1, 2]), [co, kh * kw, ci]), [
    [0, 0],
    [0, 1],
    [0, 0],
  ]);
  const combined = tf.transpose(
    tf.reshape(tf.gather(taps, tf.tensor1d(index, 'int32'), 1), [co, rows.size, cols.size, s * s * ci]),
    [1, 2, 0, 3],
  ) as tf.Tensor4D; // [size_h, size_w, Co, s·s·Ci], channel (p·s + q)·Ci + ci as depthToSpace reads it
  // dy padded so the window of output block u starts at row u + lo and there are uh blocks.
  const top = -rows.lo;
  const bottom = uh + rows.size - 1 - ho - top;
  const left = -cols.lo;
  const right = vw + cols.size - 1 - wo - left;
  const cropped = padOrCrop(dy, Math.min(0, top), Math.min(0, bottom), Math.min(0, left), Math.min(0, right));
  const explicit: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  const phases = tf.conv2d(cropped, combined, 1, explicit); // [n, uh, vw, s·s·Ci]
  const woven = tf.depthToSpace(phases, s, 'NHWC') as tf.Tensor4D;
  return uh * s === h && vw * s === w ? woven : tf.slice(woven, [0, 0, 0, 0], [n, h, w, ci]);
}

/**
 * Conv2DBackpropInput for the wasm backend, replacing the native one: that is a plain C++ loop,
 * several times slower than the XNNPACK forward convolution and half of a ResNet training step.
 * The input gradient is the forward correlation of dy, zero-interleaved by the stride, with the
 * filter rotated 180 degrees and its channel axes swapped:
 *   dx[h] = sum_a dyd[h + padTop - a] * W[a]  with  dyd[i * s] = dy[i]
 * A 1x1 filter commutes with the interleaving, so it is applied first, at the lower resolution; larger
 * filters with the same stride in both axes go phase by phase (phasedInputGrad), skipping the zeros.
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
    // Padding of the interleaved dy (length ho * s) that makes the output exactly h x w.
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h - ho * sh + kh - 1 - top;
    const right = w - wo * sw + kw - 1 - left;
    let dx: tf.Tensor4D;
    if (kh === 1 && kw === 1) {
      const flipped = tf.transpose(filter, [0, 1, 3, 2]) as tf.Tensor4D; // [1, 1, Co, Ci]
      dx = padOrCrop(zeroInsert(tf.conv2d(dy, flipped, 1, 'valid'), sh, sw), top, bottom, left, right);
    } else if (sh === sw && sh > 1) {
      dx = phasedInputGrad(dy, filter, h, w, sh, padInfo.top, padInfo.left);
    } else {
      const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Co, Ci]
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
