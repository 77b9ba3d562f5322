import * as tf from '@tensorflow/tfjs-core';

import { Shaders } from '../pipelines';
import type { VulkanKernel } from './kernel';

/** The tiled shader's tile side; a product thinner than a tile in any dimension runs direct. */
const TILE = 16;

/**
 * Batched float32 matrix products, op(a) · op(b), where the batch dimensions are equal or one operand
 * has a single matrix; other broadcasts fall back to the cpu. Tiled in shared memory (matmul.comp), or
 * one invocation per output element for thin products (matmul-direct.comp).
 */
export const batchMatMulKernel: VulkanKernel = {
  kernelName: tf.BatchMatMul,
  run({ inputs, attrs, backend }) {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2)
      return null;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    tf.util.assert(
      k === kB,
      () => `Inner dimensions of a matrix product must match: [${a.shape}] and [${b.shape}]`,
    );
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = tf.util.sizeFromShape(outer);
    if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1) || batch > 65535)
      return null;
    if (k === 0) return null; // a product of zeros: the cpu writes them
    const out = backend.makeOutput([...outer, m, n], 'float32');
    if (batch * m * n === 0) return out;
    const push = [m, n, k, batchA, batchB, transposeA ? 1 : 0, transposeB ? 1 : 0];
    const buffers = [backend.bufferOf(a), backend.bufferOf(b), backend.bufferOf(out)];
    if (Math.min(m, n, k) >= TILE) {
      backend.shaders.run('matmul', buffers, Uint32Array.from(push), [
        Math.ceil(n / TILE),
        Math.ceil(m / TILE),
        batch,
      ]);
    } else {
      backend.shaders.run(
        'matmulDirect',
        buffers,
        Uint32Array.from([...push, batch]),
        Shaders.elementGroups(batch * m * n),
      );
    }
    return out;
  },
};
