import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { simclrAugment } from '../../../src-main/engine/data/augment';
import { openInputPipeline } from '../../../src-main/engine/data/input-pipeline';
import type { ViewSource } from '../../../src-main/engine/data/views';
import { initBackend } from '../../../src-main/engine/backend';
import { useInputThread } from '../../../src-main/engine/runner/train';
import { FilePixels } from '../../../src-main/engine/data/pixels';
import { randomViewSource } from '../../helpers/view-source';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** 16 random 8×8 RGB images, in memory or (onDisk) in a file read a batch at a time. */
function source(onDisk = false): ViewSource {
  const { source, bytes } = randomViewSource(16, 8);
  if (!onDisk) return source;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'input-pipeline-')), 'images.bin');
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(64), bytes]));
  return { ...source, train: { pixels: new FilePixels(file, 64, 16, 8 * 8 * 3), labels: null, count: 16 } };
}

const plan = {
  global: [simclrAugment(8), simclrAugment(8)],
  local: [{ ...simclrAugment(4), cropScale: [0.05, 0.4] as [number, number] }],
};
const batches = [Int32Array.of(0, 1, 2, 3), Int32Array.of(15, 4, 9, 9), Int32Array.of(7, 6, 5, 4)];

/** Where batches are drawn: in the training thread, or on an input thread that augments or only samples. */
const placement = (useThread: boolean, augmentOnTrainingBackend = false) => ({
  useThread,
  augmentOnTrainingBackend,
});

async function drawAll(
  thread: boolean,
  onDisk = false,
  augmentOnTrainingBackend = false,
): Promise<{ where: string; views: { shape: number[]; values: Float32Array }[][] }> {
  const input = await openInputPipeline(
    source(onDisk),
    plan,
    42,
    placement(thread, augmentOnTrainingBackend),
  );
  try {
    for (const b of batches) input.queue(b);
    const out = [];
    for (let i = 0; i < batches.length; i++) {
      const views = await input.next();
      out.push(views.map((v) => ({ shape: v.shape, values: v.dataSync() as Float32Array })));
      tf.dispose(views);
    }
    return { where: input.where, views: out };
  } finally {
    await input.close();
  }
}

describe('input pipeline', () => {
  it('an input thread gives the same views, in order and bit for bit, as drawing them in the training thread', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const threaded = await drawAll(true);
    const inline = await drawAll(false);
    expect(threaded.where).toBe('an input thread');
    expect(inline.where).toBe('the training thread');
    expect(threaded.views.map((b) => b.map((v) => v.shape))).toEqual(
      batches.map(() => [
        [4, 8, 8, 3],
        [4, 8, 8, 3],
        [4, 4, 4, 3],
      ]),
    );
    for (let b = 0; b < batches.length; b++) {
      for (let v = 0; v < 3; v++) {
        const [x, y] = [threaded.views[b]![v]!.values, inline.views[b]![v]!.values];
        // Bit for bit: both threads run the same kernels (the native ones where the addon is built).
        expect(x).toEqual(y);
      }
    }
    // Different batches and views differ (the stream moves on), and nothing is left allocated.
    expect(threaded.views[0]![0]!.values).not.toEqual(threaded.views[0]![1]!.values);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws the same views from images in a file as from the same images in memory, on the input thread too', async () => {
    await initBackend('wasm');
    const inMemory = await drawAll(false);
    const fromFile = await drawAll(true, true);
    expect(fromFile.where).toBe('an input thread');
    for (let b = 0; b < batches.length; b++) {
      for (let v = 0; v < 3; v++)
        expect(fromFile.views[b]![v]!.values).toEqual(inMemory.views[b]![v]!.values);
    }
  });

  it('an input thread that only samples gives the same views, augmented in the training thread', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const sampling = await drawAll(true, false, true);
    const inline = await drawAll(false);
    expect(sampling.where).toBe('an input thread, augmented on the training backend');
    // Bit for bit: the same kernels augment the same images with the same random choices.
    expect(sampling.views).toEqual(inline.views);
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const augmentOnTrainingBackend of [false, true]) {
    it(`reports the input thread's errors on the batch that caused them, and closes with batches pending${
      augmentOnTrainingBackend ? ' (a thread that only samples)' : ''
    }`, async () => {
      await initBackend('wasm');
      const input = await openInputPipeline(source(), plan, 1, placement(true, augmentOnTrainingBackend));
      try {
        input.queue(Int32Array.of(0, 99));
        input.queue(Int32Array.of(0, 1));
        input.queue(Int32Array.of(2, 3));
        await expect(input.next()).rejects.toThrow('input thread: image index 99 outside 0…15');
        tf.dispose(await input.next());
      } finally {
        await input.close(); // one batch still queued
      }
      await expect(input.next()).rejects.toThrow();
    });
  }

  it('reports the stream position after the batch it returned, not its read-ahead, and restarts there', async () => {
    await initBackend('wasm');
    const values = (views: tf.Tensor4D[]) => {
      const out = views.map((v) => Array.from(v.dataSync()));
      tf.dispose(views);
      return out;
    };
    // Drawing in turn from the seed: the positions after each batch, and the views of the last two.
    const inline = await openInputPipeline(source(), plan, 42, placement(false));
    const positions: number[] = [inline.position];
    const rest: number[][][] = [];
    for (const [i, b] of batches.entries()) {
      inline.queue(b);
      const views = await inline.next();
      if (i > 0) rest.push(values(views));
      else tf.dispose(views);
      positions.push(inline.position);
    }
    await inline.close();
    expect(new Set(positions).size).toBe(positions.length);

    for (const thread of [true, false]) {
      const input = await openInputPipeline(source(), plan, 42, placement(thread));
      try {
        expect(input.position).toBe(positions[0]);
        for (const b of batches) input.queue(b);
        tf.dispose(await input.next());
        // Let the input thread draw the two batches queued ahead before the position is read.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(input.position).toBe(positions[1]);
      } finally {
        await input.close();
      }
      // A pipeline opened at that position draws the batches after the first, as the first pipeline did.
      const resumed = await openInputPipeline(source(), plan, { position: positions[1]! }, placement(thread));
      try {
        for (const b of batches.slice(1)) resumed.queue(b);
        expect([values(await resumed.next()), values(await resumed.next())]).toEqual(rest);
        expect(resumed.position).toBe(positions[3]);
      } finally {
        await resumed.close();
      }
    }
  });

  it('is on by default only where a core is spare and the run is long enough to pay for starting it', () => {
    expect(useInputThread(1000, 2)).toBe(false);
    expect(useInputThread(1000, 8)).toBe(true);
    expect(useInputThread(5, 8)).toBe(false);
  });
});
