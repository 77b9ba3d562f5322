import * as tf from '@tensorflow/tfjs-core';

import { asTensor } from './as-tensor';

/**
 * UnsortedSegmentSum for the wasm backend, which does not ship one (tfjs 4.22). It is the gradient of
 * tf.gather, so without it nothing that gathers from a trained tensor (embeddings, picking logits by
 * label) can be trained on wasm. The wasm ScatterNd kernel already sums duplicate indices, so a
 * segment sum is a scatter of the rows by their segment id. Ids outside [0, numSegments) are dropped,
 * as in TensorFlow, rather than handed to ScatterNd (which would write out of bounds).
 */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x: xInfo, segmentIds: idsInfo } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rest = xInfo.shape.slice(idsInfo.shape.length);
  const outShape = [numSegments, ...rest];
  const rows = tf.util.sizeFromShape(idsInfo.shape);

  return tf.tidy(() => {
    if (rows === 0 || numSegments === 0) return tf.zeros(outShape, xInfo.dtype);
    const ids = tf.cast(tf.reshape(asTensor(idsInfo), [rows]), 'int32');
    const data = tf.reshape(asTensor(xInfo), [rows, ...rest]);
    const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
    const safeIds = tf.where(valid, ids, tf.zerosLike(ids));
    // `where`, not a multiply by the mask, so a NaN in a dropped row cannot leak into segment 0.
    const rowMask = tf.broadcastTo(tf.reshape(valid, [rows, ...rest.map(() => 1)]), data.shape);
    const updates = tf.where(rowMask, data, tf.zerosLike(data));
    return tf.scatterND(tf.reshape(safeIds, [rows, 1]), updates, outShape);
  });
}

export const wasmUnsortedSegmentSum: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
