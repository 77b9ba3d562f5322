import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochBatches, labelBatch, splitShape, toFloatBatch } from '../../../src-main/engine/data/batches';
import type { ImageSplit } from '../../../src-main/engine/data/dataset';
import { Rng } from '../../../src-main/engine/util/rng';
import { useBackend } from './backend';
import { MemoryPixels } from '../../../src-main/engine/data/pixels';
import { inMemorySplit } from '../../../src-main/engine/data/splits';

const split: ImageSplit = {
  pixels: new MemoryPixels(
    Uint8Array.from({ length: 5 * 4 * 4 * 3 }, (_, i) => i % 256),
    5,
  ),
  labels: Int32Array.from([4, 3, 2, 1, 0]),
  count: 5,
};

describe('batches', () => {
  beforeAll(() => useBackend('cpu'));

  it('gathers images as float32 in [0, 1]', () => {
    const before = tf.memory().numTensors;
    const x = toFloatBatch(split, [2, 0]);
    expect(x.shape).toEqual([2, 4, 4, 3]);
    expect(x.dtype).toBe('float32');
    const v = x.dataSync();
    expect(v[0]).toBeCloseTo(96 / 255, 6);
    expect(v[48]).toBeCloseTo(0, 6);
    expect(v[95]).toBeCloseTo(47 / 255, 6);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('infers square 1- and 3-channel shapes, or takes one', () => {
    expect(splitShape(split)).toEqual({ height: 4, width: 4, channels: 3 });
    const gray: ImageSplit = inMemorySplit(new Uint8Array(2 * 28 * 28), null, 2);
    expect(splitShape(gray)).toEqual({ height: 28, width: 28, channels: 1 });
    const wide: ImageSplit = inMemorySplit(new Uint8Array(2 * 6 * 3), null, 2);
    expect(() => splitShape(wide)).toThrow(/cannot infer/);
    const x = toFloatBatch(wide, [1], { height: 2, width: 3, channels: 3 });
    expect(x.shape).toEqual([1, 2, 3, 3]);
    x.dispose();
  });

  it('rejects an index outside the split', () => {
    expect(() => toFloatBatch(split, [5])).toThrow(/outside/);
  });

  it('gathers labels', () => {
    expect(labelBatch(split, [0, 4])).toEqual(Int32Array.from([4, 0]));
    expect(labelBatch({ ...split, labels: null }, [0])).toBeNull();
  });

  it('covers an epoch in shuffled batches', () => {
    const full = epochBatches(10, 3, new Rng(1), false);
    expect(full.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect([...full.flatMap((b) => Array.from(b))].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(epochBatches(10, 3, new Rng(1)).map((b) => b.length)).toEqual([3, 3, 3]);
    expect(epochBatches(10, 3, new Rng(1))).toEqual(epochBatches(10, 3, new Rng(1)));
  });
});
