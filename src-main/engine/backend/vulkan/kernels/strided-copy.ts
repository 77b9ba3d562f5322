import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK, Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';
import { padded, stridesOf, type VulkanKernel } from './kernel';
import { runUnary, UnaryOp } from './unary';

/**
 * Records a copy of `x` into a new tensor of `shape`, whose element at coordinates c comes from
 * x[base + Σ (c_d mod periods_d) · strides_d] (shaders/strided-copy.comp); the periods default to the
 * output's shape, where the modulo does nothing.
 */
export function stridedCopy(
  backend: VulkanBackend,
  x: tf.TensorInfo,
  shape: number[],
  base: number,
  strides: number[],
  periods: number[] = shape,
): tf.TensorInfo {
  const out = backend.makeOutput(shape, x.dtype);
  if (tf.util.sizeFromShape(shape) > 0) recordCopy(backend, x, out, shape, base, strides, periods, false);
  return out;
}

/** One dispatch of shaders/strided-copy.comp over `shape`: a gather into `out`, or a scatter from `x`. */
function recordCopy(
  backend: VulkanBackend,
  x: tf.TensorInfo,
  out: tf.TensorInfo,
  shape: number[],
  base: number,
  strides: number[],
  periods: number[],
  scatter: boolean,
): void {
  const n = tf.util.sizeFromShape(shape);
  const push = Int32Array.from([
    n,
    shape.length,
    base,
    ...padded(shape, MAX_RANK, 1),
    ...padded(strides, MAX_RANK),
    ...padded(periods, MAX_RANK, 1),
    scatter ? 1 : 0,
  ]);
  const buffers = [backend.bufferOf(x), backend.bufferOf(out)];
  backend.shaders.run('stridedCopy', buffers, push, Shaders.elementGroups(n));
}

/** `x` with its dimensions in the order `perm`. */
export function transpose(backend: VulkanBackend, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo {
  const strides = stridesOf(x.shape);
  return stridedCopy(
    backend,
    x,
    perm.map((p) => x.shape[p]!),
    0,
    perm.map((p) => strides[p]!),
  );
}

const numeric = (x: tf.TensorInfo): boolean => x.dtype !== 'string' && x.dtype !== 'complex64';

export const stridedCopyKernels: VulkanKernel[] = [
  {
    kernelName: tf.Transpose,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { perm } = attrs as unknown as tf.TransposeAttrs;
      return numeric(x) && x.shape.length <= MAX_RANK ? transpose(backend, x, perm) : null;
    },
  },
  {
    kernelName: tf.Slice,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      if (!numeric(x) || x.shape.length > MAX_RANK) return null;
      const [start, sizes] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      tf.slice_util.assertParamsValid(x as tf.Tensor, start, sizes);
      const strides = stridesOf(x.shape);
      const base = start.reduce((sum, s, d) => sum + s * strides[d]!, 0);
      return stridedCopy(backend, x, sizes, base, strides);
    },
  },
  {
    kernelName: tf.Tile,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { reps } = attrs as unknown as tf.TileAttrs;
      if (!numeric(x) || x.shape.length > MAX_RANK) return null;
      const shape = x.shape.map((size, d) => size * reps[d]!);
      return stridedCopy(backend, x, shape, 0, stridesOf(x.shape), x.shape);
    },
  },
  {
    // Each input is written into its part of the output along the axis.
    kernelName: tf.Concat,
    run({ inputs, attrs, backend }) {
      const all = inputs as unknown as tf.TensorInfo[];
      const { axis } = attrs as unknown as tf.ConcatAttrs;
      const dtype = all[0]?.dtype;
      if (!dtype || all.some((t) => !numeric(t) || t.dtype !== dtype || t.shape.length > MAX_RANK))
        return null;
      const $axis = tf.util.parseAxisParam(axis, all[0]!.shape)[0]!;
      const shape = tf.backend_util.computeOutShape(
        all.map((t) => t.shape),
        $axis,
      );
      const out = backend.makeOutput(shape, dtype);
      const outStrides = stridesOf(shape);
      let offset = 0;
      for (const part of all) {
        if (tf.util.sizeFromShape(part.shape) > 0) {
          const base = offset * outStrides[$axis]!;
          recordCopy(backend, part, out, part.shape, base, outStrides, part.shape, true);
        }
        offset += part.shape[$axis]!;
      }
      return out;
    },
  },
  {
    // tf.stack: each input is written into its slot along the new axis.
    kernelName: tf.Pack,
    run({ inputs, attrs, backend }) {
      const all = inputs as unknown as tf.TensorInfo[];
      const { axis } = attrs as unknown as tf.PackAttrs;
      const first = all[0];
      if (
        !first ||
        all.some((t) => !numeric(t) || t.dtype !== first.dtype || !tf.util.arraysEqual(t.shape, first.shape))
      )
        return null;
      const $axis = axis < 0 ? first.shape.length + axis + 1 : axis;
      const shape = [...first.shape.slice(0, $axis), all.length, ...first.shape.slice($axis)];
      if (shape.length > MAX_RANK) return null;
      const out = backend.makeOutput(shape, first.dtype);
      if (tf.util.sizeFromShape(first.shape) === 0) return out;
      const outStrides = stridesOf(shape);
      const partStrides = outStrides.filter((_, d) => d !== $axis);
      all.forEach((part, i) => {
        recordCopy(backend, part, out, part.shape, i * outStrides[$axis]!, partStrides, part.shape, true);
      });
      return out;
    },
  },
  {
    // tf.unstack: one slice along the axis per output, without that axis.
    kernelName: tf.Unpack,
    run({ inputs, attrs, backend }) {
      const { value } = inputs as { value: tf.TensorInfo };
      const { axis } = attrs as unknown as tf.UnpackAttrs;
      if (!numeric(value) || value.shape.length > MAX_RANK) return null;
      const $axis = tf.util.parseAxisParam(axis, value.shape)[0]!;
      const strides = stridesOf(value.shape);
      const shape = value.shape.filter((_, d) => d !== $axis);
      const pieceStrides = strides.filter((_, d) => d !== $axis);
      return Array.from({ length: value.shape[$axis]! }, (_, i) =>
        stridedCopy(backend, value, shape, i * strides[$axis]!, pieceStrides),
      );
    },
  },
  {
    // tf.pad: the constant everywhere, then x scattered into the interior.
    kernelName: tf.PadV2,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { paddings, constantValue } = attrs as unknown as tf.PadV2Attrs;
      // The fill writes float bits; an int32 or bool constant other than 0 has other bits.
      if (x.shape.length > MAX_RANK || !(x.dtype === 'float32' || (numeric(x) && constantValue === 0)))
        return null;
      const shape = x.shape.map((size, d) => paddings[d]![0] + size + paddings[d]![1]);
      const out = runUnary(backend, UnaryOp.fill, null, shape, x.dtype, constantValue);
      if (tf.util.sizeFromShape(x.shape) === 0) return out;
      const outStrides = stridesOf(shape);
      const base = paddings.reduce((sum, [before], d) => sum + before * outStrides[d]!, 0);
      recordCopy(backend, x, out, x.shape, base, outStrides, x.shape, true);
      return out;
    },
  },
  {
    // Each piece is a slice along the axis.
    kernelName: tf.SplitV,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
      if (!numeric(x) || x.shape.length > MAX_RANK) return null;
      const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
      const strides = stridesOf(x.shape);
      let begin = 0;
      return sizes.map((size) => {
        const shape = x.shape.map((s, d) => (d === $axis ? size : s));
        const piece = stridedCopy(backend, x, shape, begin * strides[$axis]!, strides);
        begin += size;
        return piece;
      });
    },
  },
];
