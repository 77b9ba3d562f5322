import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { ViewPlan } from '../../domain';
import { Rng } from '../util/rng';
import type { FromInputThread, ToInputThread } from './input-protocol';
import { augmentViews, drawViews, type ViewSource } from './views';

/**
 * Where a run's batches come from. Loading and augmenting a batch takes a fifth of a native ResNet-18
 * step, so by default it happens on an input thread (data/input-thread.ts) while the training thread
 * computes: batches are queued ahead and come back in order. Without a thread (short runs, where
 * starting one costs more than it saves; CONTRASTLAB_INPUT_THREAD=0; or where it cannot start) the same
 * function draws them in the training thread from the same seed, so a run's batches are the same either
 * way. Where the training backend is a GPU's, the thread only reads the images and draws the random
 * choices, and the views are augmented on the GPU when the loop takes the batch: the thread's wasm
 * augmenting bounded a run on a GPU at a fifth of the step's rate. Those views have the same random
 * choices; their values are the GPU's, equal to the wasm thread's up to float rounding (1e-4).
 */
export interface InputPipeline {
  /** Where views are drawn, for the run's log. */
  readonly where: string;
  /** Queues the views of these images. */
  queue(indices: Int32Array): void;
  /** The oldest queued batch's views, in plan order (the caller disposes them). */
  next(): Promise<tf.Tensor4D[]>;
  /**
   * The augmentation stream's position (Rng.position) after the batch next() last returned, i.e. where the
   * batch after it is drawn from: what a checkpoint saves, so that a run resumed after that batch draws the
   * same views, however many batches were queued ahead and wherever they were drawn.
   */
  readonly position: number;
  close(): Promise<void>;
}

/**
 * Where the augmentation stream starts: a seed (a new run), or the position a checkpoint saved
 * (InputPipeline.position; a resumed run).
 */
export type StreamStart = number | { position: number };

/** The stream's first position. */
export function startPosition(start: StreamStart): number {
  return typeof start === 'number' ? new Rng(start).position : start.position;
}

/** Set to 0 to draw batches in the training thread. */
export const INPUT_THREAD_ENV = 'CONTRASTLAB_INPUT_THREAD';

/** Where batches are drawn: on an input thread or not, and whether views are augmented on the training backend. */
export interface InputPlacement {
  useThread: boolean;
  /** Augment in the training thread, on its backend (a GPU's), even where an input thread draws. */
  augmentOnTrainingBackend: boolean;
}

export async function openInputPipeline(
  source: ViewSource,
  plan: ViewPlan,
  start: StreamStart,
  { useThread, augmentOnTrainingBackend }: InputPlacement,
): Promise<InputPipeline> {
  const position = startPosition(start);
  if (!useThread || process.env[INPUT_THREAD_ENV] === '0') {
    return new InThread(source, plan, position, 'the training thread');
  }
  try {
    return await InputThread.start(source, plan, position, !augmentOnTrainingBackend);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return new InThread(
      source,
      plan,
      position,
      `the training thread (the input thread did not start: ${why})`,
    );
  }
}

class InThread implements InputPipeline {
  private readonly pending: Int32Array[] = [];
  private readonly rng: Rng;

  constructor(
    private readonly source: ViewSource,
    private readonly plan: ViewPlan,
    position: number,
    readonly where: string,
  ) {
    this.rng = Rng.at(position);
  }

  get position(): number {
    // Batches are drawn when asked for, so the generator stands right after the last one returned.
    return this.rng.position;
  }

  queue(indices: Int32Array): void {
    this.pending.push(indices);
  }

  async next(): Promise<tf.Tensor4D[]> {
    const indices = this.pending.shift();
    if (!indices) throw new Error('no batch queued');
    return drawViews(this.source, indices, this.plan, this.rng);
  }

  async close(): Promise<void> {
    this.pending.length = 0;
  }
}

/**
 * A batch the input thread answered with: its views, or its images and random choices to augment here.
 * Tensors are made when the loop takes it, not when it arrives: an arrival can fall inside a step's
 * scope, which would dispose them.
 */
type Drawn = Extract<FromInputThread, { type: 'views' | 'sampled' }>;
type Waiter = { resolve: (drawn: Drawn) => void; reject: (error: Error) => void };

class InputThread implements InputPipeline {
  private readonly waiting: Waiter[] = [];
  /** Answers that arrived before anyone asked (the thread runs ahead of the training loop). */
  private readonly arrived: (Drawn | Error)[] = [];
  private failure: Error | undefined;
  private queued = 0;
  private closed = false;
  /** Not the thread's own position, which is ahead by the batches queued: the one after the batch returned. */
  private returned: number;

  private constructor(
    private readonly worker: Worker,
    /** What augmenting here needs, where the thread only samples. */
    private readonly plan: ViewPlan,
    private readonly stats: Pick<ViewSource, 'mean' | 'std'>,
    position: number,
    readonly where: string,
  ) {
    this.returned = position;
  }

  get position(): number {
    return this.returned;
  }

  static async start(
    source: ViewSource,
    plan: ViewPlan,
    position: number,
    augmentHere: boolean,
  ): Promise<InputThread> {
    const worker = startWorker();
    const where = augmentHere ? 'an input thread' : 'an input thread, augmented on the training backend';
    const thread = new InputThread(worker, plan, { mean: source.mean, std: source.std }, position, where);
    await new Promise<void>((resolve, reject) => {
      const first = (message: FromInputThread) => {
        worker.off('error', reject);
        if (message.type === 'ready') resolve();
        else reject(new Error(message.type === 'error' ? message.message : `unexpected ${message.type}`));
      };
      worker.once('message', first);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the input thread exited (code ${code}) before it was ready`)),
      );
      const init: ToInputThread = {
        type: 'init',
        pixels: source.train.pixels.share(),
        height: source.height,
        width: source.width,
        channels: source.channels,
        mean: source.mean,
        std: source.std,
        plan,
        position,
        augmentHere,
      };
      const pixels = init.pixels;
      worker.postMessage(init, pixels.kind === 'memory' ? [pixels.bytes.buffer as ArrayBuffer] : []);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    worker.on('message', (message: FromInputThread) => thread.answer(message));
    worker.on('error', (error) => thread.fail(error));
    worker.on('exit', (code) => thread.fail(new Error(`the input thread exited (code ${code})`)));
    return thread;
  }

  queue(indices: Int32Array): void {
    const request: ToInputThread = { type: 'batch', indices: indices.slice() };
    this.worker.postMessage(request);
    this.queued++;
  }

  async next(): Promise<tf.Tensor4D[]> {
    const drawn = await this.take();
    const views =
      drawn.type === 'views'
        ? drawn.views.map((v) => tf.tensor4d(v.data, v.shape, 'float32'))
        : augmentViews(drawn.sampled, this.plan, this.stats);
    // Only once the batch is made: a position past a batch that failed would skip it on resuming.
    this.returned = drawn.position;
    return views;
  }

  private take(): Promise<Drawn> {
    if (this.closed) return Promise.reject(new Error('the input pipeline is closed'));
    if (this.queued === 0) return Promise.reject(new Error('no batch queued'));
    this.queued--;
    const ready = this.arrived.shift();
    if (ready) return ready instanceof Error ? Promise.reject(ready) : Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail(new Error('the input pipeline is closed'));
    this.arrived.length = 0;
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private answer(message: FromInputThread): void {
    if (this.closed) return; // a batch still in flight when the pipeline closed
    const result: Drawn | Error =
      message.type === 'views' || message.type === 'sampled'
        ? message
        : new Error(message.type === 'error' ? `input thread: ${message.message}` : 'unexpected message');
    const waiter = this.waiting.shift();
    if (!waiter) this.arrived.push(result);
    else if (result instanceof Error) waiter.reject(result);
    else waiter.resolve(result);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}

/**
 * The input thread's entry: the built data/input-thread.js beside the bundle (electron-vite puts it in
 * out/main/runner/), or the TypeScript source started through tsx's loader in development.
 */
function startWorker(): Worker {
  const env = { ...process.env, CONTRASTLAB_WASM_THREADS: '1' };
  for (const candidate of ['./input-thread.js', './runner/input-thread.js', '../runner/input-thread.js']) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (fs.existsSync(file)) return new Worker(file, { env });
  }
  const source = new URL('./input-thread.ts', import.meta.url);
  if (!fs.existsSync(fileURLToPath(source))) throw new Error('input-thread.js not found beside the bundle');
  const tsx = tsxEsmApi();
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(
    pathToFileURL(fileURLToPath(source)).href,
  )}); })`;
  return new Worker(boot, { eval: true, env });
}

/** The file URL of tsx's ES-module API (its `register`), from its package exports. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default)).href;
}
