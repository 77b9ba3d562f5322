import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK, Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';
import { padded, stridesOf, type VulkanKernel } from './kernel';

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
