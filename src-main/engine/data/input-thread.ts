/**
 * The input thread: draws a run's augmented views on its own thread (a worker_threads Worker started by
 * data/input-pipeline.ts), so that loading and augmenting the next batch overlaps with the training
 * step. Its own TensorFlow.js runs on the single-threaded wasm backend, with the native kernels (each
 * thread keeps its own oneDNN primitives) on one OpenMP thread. Where the training thread's backend
 * augments (a GPU's), this thread only reads the images and draws the random choices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';

import { initBackend } from '../backend';
import { dnnlAddon } from '../backend/dnnl';
import type { ViewPlan } from '../../domain';
import { Rng } from '../util/rng';
import type { FromInputThread, ToInputThread } from './input-protocol';
import { openPixels } from './pixels';
import { drawViews, sampleViews, type ViewSource } from './views';

const port = parentPort;
if (!port) throw new Error('input-thread.ts runs as a worker thread');

let state: { source: ViewSource; plan: ViewPlan; rng: Rng; augmentHere: boolean } | undefined;

function reply(message: FromInputThread, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function handle(message: ToInputThread): Promise<void> {
  try {
    if (message.type === 'init') {
      const { pixels, height, width, channels, mean, std, plan, position, augmentHere } = message;
      if (augmentHere) {
        await initBackend('wasm');
        // The native kernels too, so views are the same as drawn in the training thread, on one OpenMP
        // thread: the others belong to training.
        dnnlAddon()?.setThreads(1);
      }
      const train = { pixels: openPixels(pixels), labels: null, count: pixels.count };
      state = {
        source: { train, height, width, channels, mean, std },
        plan,
        rng: Rng.at(position),
        augmentHere,
      };
      reply({ type: 'ready' });
      return;
    }
    if (!state) throw new Error('the input thread got a batch request before its init');
    if (!state.augmentHere) {
      const sampled = sampleViews(state.source, message.indices, state.plan, state.rng);
      const values = sampled.images.values.buffer as ArrayBuffer;
      reply({ type: 'sampled', sampled, position: state.rng.position }, [values]);
      return;
    }
    const views = drawViews(state.source, message.indices, state.plan, state.rng);
    const out = views.map((v) => ({
      shape: v.shape,
      data: v.dataSync() as Float32Array,
    }));
    tf.dispose(views);
    reply(
      { type: 'views', views: out, position: state.rng.position },
      out.map((v) => v.data.buffer as ArrayBuffer),
    );
  } catch (error) {
    reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

// One message at a time, in order: batches answer in the order they were asked for.
let done = Promise.resolve();
port.on('message', (message: ToInputThread) => {
  done = done.then(() => handle(message));
});
