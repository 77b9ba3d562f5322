import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import { type VulkanKernel, wordTypes } from './kernel';

/** 4-byte element types: moved as bits by the select and one-hot shaders. */
/** The bits of `value` as the shader stores an element of `dtype`. */
function bitsOf(value: number, dtype: tf.DataType): number {
  const word = new DataView(new ArrayBuffer(4));
  if (dtype === 'float32') word.setFloat32(0, value, true);
  else word.setInt32(0, value, true);
  return word.getUint32(0, true);
}

/** tf.where (Select) and tf.oneHot: what a contrastive loss masks its logits with and picks targets by. */
export const selectKernels: VulkanKernel[] = [
  {
    kernelName: tf.Select,
    run({ inputs, backend }) {
      const { condition, t, e } = inputs as { condition: tf.TensorInfo; t: tf.TensorInfo; e: tf.TensorInfo };
      if (!wordTypes.has(t.dtype) || !wordTypes.has(condition.dtype)) return null;
      const n = tf.util.sizeFromShape(t.shape);
      const rows = tf.util.sizeFromShape(condition.shape);
      const out = backend.makeOutput([...t.shape], t.dtype);
      if (n === 0) return out;
      const buffers = [condition, t, e, out].map((x) => backend.bufferOf(x));
      backend.shaders.run('select', buffers, Uint32Array.from([n, n / rows]), Shaders.elementGroups(n));
      return out;
    },
  },
  {
    kernelName: tf.OneHot,
    run({ inputs, attrs, backend }) {
      const { indices } = inputs as { indices: tf.TensorInfo };
      const { depth, onValue, offValue, dtype } = attrs as unknown as tf.OneHotAttrs;
      if (indices.dtype !== 'int32' || !wordTypes.has(dtype)) return null;
      const out = backend.makeOutput([...indices.shape, depth], dtype);
      const n = tf.util.sizeFromShape(indices.shape) * depth;
      if (n === 0) return out;
      const push = Uint32Array.from([n, depth, bitsOf(onValue, dtype), bitsOf(offValue, dtype)]);
      const buffers = [backend.bufferOf(indices), backend.bufferOf(out)];
      backend.shaders.run('oneHot', buffers, push, Shaders.elementGroups(n));
      return out;
    },
  },
];
