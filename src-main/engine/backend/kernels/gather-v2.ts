import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

const wrapped = new WeakSet<tf.KernelFunc>();

/**
 * The wasm GatherV2 (tfjs 4.22) is wrong for batchDims > 0: it applies the first batch's indices to
 * every batch, returning garbage or reading out of bounds ("memory access out of bounds"). That is
 * exactly tf.gather(logProbs, labels, 1, 1), the usual way to pick each row's label. This wraps the
 * native kernel: batchDims 0 goes straight to it; otherwise the batch is folded into the gathered axis
 * (indices offset by batch * axisSize) so a single batchDims-0 gather does the work.
 */
export function fixedWasmGatherV2(native: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(native.kernelFunc)) return native;
  const kernelFunc = ((args: KernelArgs) => {
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if (!batchDims) return native.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    return batchedGather(x, indices, axis, batchDims);
  }) as tf.KernelFunc;
  wrapped.add(kernelFunc);
  return { ...native, kernelFunc };
}

function batchedGather(
  xInfo: tf.TensorInfo,
  idxInfo: tf.TensorInfo,
  axis: number,
  batchDims: number,
): tf.Tensor {
  const parsedAxis = tf.util.parseAxisParam(axis, xInfo.shape)[0];
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
    xInfo,
    idxInfo,
    parsedAxis,
    batchDims < 0 ? batchDims + idxInfo.shape.length : batchDims,
  );
  const { batchSize: b, outerSize: o, dimSize: d, sliceSize: s } = info;
  const perBatch = tf.util.sizeFromShape(idxInfo.shape) / b;

  return tf.tidy(() => {
    const indices = asTensor(idxInfo);
    // Folded, a bad index would silently read another batch's row; fail like the other backends do.
    for (const index of indices.dataSync()) {
      tf.util.assert(
        index >= 0 && index < d,
        () => `GatherV2: the index value ${index} is not in [0, ${d - 1}]`,
      );
    }
    // [b, o, d, s] -> [o, b*d, s]: batch i's rows now start at i*d along the gathered axis.
    const x = tf.reshape(asTensor(xInfo), [b, o, d, s]);
    const folded = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [o, b * d, s]);
    const offsets = tf.reshape(tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(d, 'int32')), [b, 1]);
    const idx = tf.add(tf.reshape(tf.cast(indices, 'int32'), [b, perBatch]), offsets);
    const picked = tf.gather(folded, tf.reshape(idx, [b * perBatch]), 1); // [o, b*perBatch, s]
    const out = tf.transpose(tf.reshape(picked, [o, b, perBatch, s]), [1, 0, 2, 3]);
    return tf.reshape(out, info.outputShape);
  });
}
