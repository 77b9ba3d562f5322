import * as tf from '@tensorflow/tfjs-core';

import { MAX_RANK, Shaders } from '../pipelines';
import { padded, wordTypes, type VulkanKernel } from './kernel';

/**
 * The image ops an augmentation runs (data/augment.ts): the crop-and-resize of a random resized crop, and
 * the mirror padding around it and around a blur, so that views can be drawn on the device.
 */
export const imageKernels: VulkanKernel[] = [
  {
    kernelName: tf.CropAndResize,
    run({ inputs, attrs, backend }) {
      const { image, boxes, boxInd } = inputs as {
        image: tf.TensorInfo;
        boxes: tf.TensorInfo;
        boxInd: tf.TensorInfo;
      };
      const { cropSize, method, extrapolationValue } = attrs as unknown as tf.CropAndResizeAttrs;
      if (image.dtype !== 'float32' || boxes.dtype !== 'float32' || boxInd.dtype !== 'int32') return null;
      const [batch, height, width, channels] = image.shape as [number, number, number, number];
      const [cropHeight, cropWidth] = cropSize;
      const shape = [boxes.shape[0]!, cropHeight, cropWidth, channels];
      const out = backend.makeOutput(shape, 'float32');
      const n = tf.util.sizeFromShape(shape);
      if (n === 0) return out;
      const push = new Uint32Array(9);
      push.set([n, batch, height, width, channels, cropHeight, cropWidth, method === 'nearest' ? 1 : 0]);
      new Float32Array(push.buffer).set([extrapolationValue], 8);
      const buffers = [image, boxes, boxInd, out].map((t) => backend.bufferOf(t));
      backend.shaders.run('cropAndResize', buffers, push, Shaders.elementGroups(n));
      return out;
    },
  },
  {
    kernelName: tf.MirrorPad,
    run({ inputs, attrs, backend }) {
      const { x } = inputs as { x: tf.TensorInfo };
      const { paddings, mode } = attrs as unknown as tf.MirrorPadAttrs;
      if (!wordTypes.has(x.dtype) || x.shape.length > MAX_RANK) return null;
      const shape = x.shape.map((size, d) => paddings[d]![0] + size + paddings[d]![1]);
      const out = backend.makeOutput(shape, x.dtype);
      const n = tf.util.sizeFromShape(shape);
      if (n === 0) return out;
      const push = Int32Array.from([
        n,
        x.shape.length,
        mode === 'reflect' ? 0 : 1,
        ...padded(shape, MAX_RANK, 1),
        ...padded(x.shape, MAX_RANK, 1),
        ...padded(
          paddings.map(([before]) => before),
          MAX_RANK,
        ),
      ]);
      backend.shaders.run(
        'mirrorPad',
        [backend.bufferOf(x), backend.bufferOf(out)],
        push,
        Shaders.elementGroups(n),
      );
      return out;
    },
  },
];
