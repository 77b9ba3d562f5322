import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { methods } from '../../../src-main/engine/methods';
import type { MethodInstance } from '../../../src-main/engine/methods/method';
import type { ByolInstance } from '../../../src-main/engine/methods/byol';
import type { MocoInstance } from '../../../src-main/engine/methods/moco';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import {
  checkpointState,
  loadCheckpoint,
  openCheckpoint,
  readCheckpointHeader,
  saveCheckpoint,
} from '../../../src-main/engine/runner/checkpoint';
import { CheckpointError, InputError } from '../../../src-main/domain';
import { checkpointAfterEpoch } from '../../../src-main/engine/runner/callbacks/checkpoints';
import { train, type TrainReporter } from '../../../src-main/engine/runner/train';
import { createInstance, ctxAt, optimiseStep, randomBatch } from '../methods/method-harness';
import { tempDir } from '../../helpers/cli';
import { tinyTrainSpec } from './tiny-train-spec';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = tempDir('contrastlab-ckpt-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every variable's name and values. */
const stateOf = (instance: MethodInstance) =>
  checkpointState(instance).map(([name, v]) => [name, Array.from(v.dataSync())] as const);

/** A few optimiser steps, so parameters, BN running statistics and the momentum encoder leave their init. */
function trainSomeSteps(
  id: string,
  instance: MethodInstance,
  config: ReturnType<typeof createInstance>['config'],
) {
  const optimizer = createOptimizer(instance.trainableParameters(), {
    id: 'sgd',
    momentum: 0.9,
    weightDecay: 0,
  });
  for (let s = 0; s < 3; s++) {
    const batch = randomBatch(id, config, [0, 1, 2, 3, 4, 5, 6, 7], s);
    optimiseStep(instance, optimizer, batch, ctxAt(s), 0.5);
    tf.dispose(batch.views);
  }
  optimizer.dispose();
}

describe('checkpoints', () => {
  for (const [id, extra] of [
    ['byol', { projectionDim: 16, projectionHiddenDim: 32 }],
    ['moco', { projectionDim: 16, queueSize: 16 }],
  ] as const) {
    it(`${id}: save → load into a fresh instance restores every parameter and buffer exactly`, async () => {
      const { instance, config } = createInstance(id, extra, { seed: 1 });
      trainSomeSteps(id, instance, config);
      const saved = stateOf(instance);
      const names = saved.map(([n]) => n);
      // The encoder, its BN running statistics, and the momentum encoder are all there, each variable once.
      expect(names.some((n) => n.startsWith('encoder.') && n.endsWith('running_mean'))).toBe(true);
      expect(names.some((n) => n.startsWith('encoder.') && n.endsWith('running_var'))).toBe(true);
      const momentum = id === 'byol' ? 'target.' : 'key.';
      expect(names.some((n) => n.startsWith(momentum) && n.endsWith('running_mean'))).toBe(true);
      expect(new Set(names).size).toBe(names.length);
      const variables = checkpointState(instance).map(([, v]) => v);
      expect(new Set(variables).size).toBe(variables.length);
      // The online/query tower contains the encoder: its backbone is saved once, under encoder.
      expect(names.some((n) => /^(online|query)\.backbone\./.test(n))).toBe(false);
      // Training moved the BN statistics away from their init (0 mean, 1 variance).
      const runningMean = saved.find(([n]) => n.startsWith('encoder.') && n.endsWith('running_mean'))!;
      expect(runningMean[1].some((v) => v !== 0)).toBe(true);

      const file = path.join(dir, id, 'step-3.ckpt');
      const bytes = await saveCheckpoint(instance, file, { runId: 7, step: 3, epoch: 0.5, method: id });
      expect(bytes).toBe(fs.statSync(file).size);
      // Written through a temporary file that is gone afterwards.
      expect(fs.readdirSync(path.dirname(file))).toEqual(['step-3.ckpt']);
      const header = readCheckpointHeader(file);
      expect(header).toMatchObject({ runId: 7, step: 3, epoch: 0.5, method: id, dtype: 'float32' });
      expect(header.tensors.map((t) => t.name)).toEqual(names);
      const floats = saved.reduce((n, [, v]) => n + v.length, 0);
      expect(bytes).toBeGreaterThan(floats * 4);
      expect(bytes).toBeLessThan(floats * 4 + 64 * 1024);

      // A fresh instance from another seed differs everywhere until loaded.
      const fresh = createInstance(id, extra, { seed: 99 }).instance;
      expect(stateOf(fresh)).not.toEqual(saved);
      loadCheckpoint(fresh, file);
      expect(stateOf(fresh)).toEqual(saved);

      // Eval-mode features (which use the BN running statistics) are identical too.
      const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5);
      const a = instance.encoder.forward(x, false);
      const b = fresh.encoder.forward(x, false);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      const momentumTower = (m: MethodInstance) =>
        id === 'byol' ? (m as ByolInstance).target : (m as MocoInstance).key;
      const ka = momentumTower(instance).forward(x, false);
      const kb = momentumTower(fresh).forward(x, false);
      expect(Array.from(kb.dataSync())).toEqual(Array.from(ka.dataSync()));
      tf.dispose([x, a, b, ka, kb]);
      instance.dispose();
      fresh.dispose();
    });
  }

  it('holds every trainable parameter and the encoder’s buffers, for all 15 methods', () => {
    for (const m of methods) {
      const { instance } = createInstance(m.id, { backbone: 'convnet' }, { trainSize: 128 });
      const saved = new Map(checkpointState(instance).map(([name, v]) => [v, name]));
      const missing = instance.trainableParameters().filter(([, v]) => !saved.has(v));
      expect(missing.map(([n]) => `${m.id}: ${n}`)).toEqual([]);
      for (const [, v] of instance.encoder.namedBuffers()) expect(saved.get(v)).toMatch(/^encoder\./);
      instance.dispose();
    }
  });

  it('refuses a checkpoint of another model with an error naming the difference', async () => {
    const file = path.join(dir, 'simclr-w4.ckpt');
    const small = createInstance('simclr', { width: 4 }).instance;
    await saveCheckpoint(small, file, { runId: 1, step: 0, epoch: 0, method: 'simclr' });
    const wide = createInstance('simclr', { width: 8 }).instance;
    expect(() => loadCheckpoint(wide, file)).toThrow(/shape/);
    const byol = createInstance('byol', {}).instance;
    expect(() => loadCheckpoint(byol, file)).toThrow(/lacks .* tensor/);
    fs.writeFileSync(path.join(dir, 'junk.ckpt'), 'not a checkpoint');
    expect(() => loadCheckpoint(small, path.join(dir, 'junk.ckpt'))).toThrow(/not a ContrastLab checkpoint/);
    [small, wide, byol].forEach((m) => m.dispose());
  });

  it('a save that fails leaves no temporary file behind', async () => {
    const folder = path.join(dir, 'failing');
    // A non-empty folder where the checkpoint should go: writing the temporary file works, the rename fails.
    const file = path.join(folder, 'step-0.ckpt');
    fs.mkdirSync(path.join(file, 'occupied'), { recursive: true });
    const { instance } = createInstance('simclr', { width: 4 });
    await expect(
      saveCheckpoint(instance, file, { runId: 1, step: 0, epoch: 0, method: 'simclr' }),
    ).rejects.toThrow();
    expect(fs.readdirSync(folder)).toEqual(['step-0.ckpt']);
    instance.dispose();
  });

  it('saves after every N-th epoch and the last; 0 means only the last', () => {
    const epochsSaved = (epochs: number, every: number) =>
      Array.from({ length: epochs }, (_, i) => i + 1).filter((e) => checkpointAfterEpoch(e, epochs, every));
    expect(epochsSaved(3, 1)).toEqual([1, 2, 3]);
    expect(epochsSaved(5, 2)).toEqual([2, 4, 5]);
    expect(epochsSaved(3, 0)).toEqual([3]);
  });

  it('the training loop saves step 0 and every epoch, and reports probe_top1/probe_top5 at the end', async () => {
    const saved: { step: number; epoch: number; path: string; bytes: number }[] = [];
    const points: { step: number; key: string; value: number }[] = [];
    const reporter: TrainReporter = {
      started: () => {},
      metric: (step, _epoch, key, value) => points.push({ step, key, value }),
      progress: () => {},
      log: () => {},
      checkpoint: (c) => saved.push(c),
    };
    const runDir = path.join(dir, 'run-1');
    const outcome = await train(
      tinyTrainSpec('simclr', { projectionHiddenDim: 32 }, { checkpointDir: runDir, inputThread: undefined }),
      reporter,
      () => false,
    );
    expect(outcome).toBe('completed');
    expect(saved.map((c) => [c.step, c.epoch])).toEqual([
      [0, 0],
      [2, 1],
      [4, 2],
    ]);
    expect(fs.readdirSync(runDir).sort()).toEqual(['step-0.ckpt', 'step-2.ckpt', 'step-4.ckpt']);
    for (const c of saved) expect(fs.statSync(c.path).size).toBe(c.bytes);
    const probe = points.filter((p) => p.key.startsWith('probe_'));
    expect(probe.map((p) => [p.step, p.key])).toEqual([
      [4, 'probe_top1'],
      [4, 'probe_top5'],
    ]);
    for (const p of probe) expect(p.value).toBeGreaterThan(0);
    expect(probe[1]!.value).toBeGreaterThanOrEqual(probe[0]!.value);
  });
});

/**
 * A version-1 checkpoint as the previous writer made it: "CLCKPT01", the header's length, the header (no
 * training state, no checksums) padded to 4 bytes, then the model's float32 values.
 */
function writeVersion1(instance: MethodInstance, file: string, method: string): void {
  const tensors: { name: string; shape: number[]; offset: number }[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, v] of checkpointState(instance)) {
    const values = v.dataSync() as Float32Array;
    tensors.push({ name, shape: [...v.shape], offset });
    chunks.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    offset += values.byteLength;
  }
  const header = {
    format: 'contrastlab-checkpoint',
    version: 1,
    dtype: 'float32',
    runId: 1,
    step: 2,
    epoch: 1,
  };
  let json = JSON.stringify({ ...header, method, tensors });
  json += ' '.repeat((4 - ((12 + Buffer.byteLength(json)) % 4)) % 4);
  const prefix = Buffer.alloc(12);
  prefix.write('CLCKPT01', 0, 'latin1');
  prefix.writeUInt32LE(Buffer.byteLength(json), 8);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(json, 'utf8'), ...chunks]));
}

const quiet: TrainReporter = { started: () => {}, metric: () => {}, progress: () => {}, log: () => {} };

/** The error a call throws (or the promise it returns rejects with). */
async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('checkpoint files (version 2)', () => {
  it('are complete or refused: a torn, extended or corrupted file is a one-line CheckpointError naming it', async () => {
    const { instance } = createInstance('simclr', { width: 4 });
    const file = path.join(dir, 'integrity', 'step-1.ckpt');
    await saveCheckpoint(instance, file, { runId: 1, step: 1, epoch: 0.5, method: 'simclr' });
    const whole = fs.readFileSync(file);
    expect(whole.toString('latin1', 0, 8)).toBe('CLCKPT02');
    const header = readCheckpointHeader(file);
    expect(header).toMatchObject({
      version: 2,
      dataBytes: expect.any(Number),
      dataCrc32: expect.any(Number),
    });
    // Magic, header length and header checksum, the header, then exactly the data it describes.
    const headerLength = whole.readUInt32LE(8);
    expect(whole.length).toBe(16 + headerLength + header.dataBytes!);

    const damaged = path.join(dir, 'integrity', 'damaged.ckpt');
    const refused = async (bytes: Buffer, why: RegExp) => {
      fs.writeFileSync(damaged, bytes);
      for (const read of [() => readCheckpointHeader(damaged), () => loadCheckpoint(instance, damaged)]) {
        const error = await errorOf(read);
        expect(error).toBeInstanceOf(CheckpointError);
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).toContain(damaged);
        expect(error.message).not.toContain('\n');
        expect(error.message).toMatch(why);
      }
    };
    // Torn: the data section cut short, or the file cut inside its header.
    await refused(whole.subarray(0, whole.length - 4), /truncated/);
    await refused(whole.subarray(0, 20), /truncated/);
    await refused(Buffer.concat([whole, Buffer.from([0, 0, 0, 0])]), /data section has/);
    // One bit flipped in the data, or in the header.
    const flipped = (at: number) => {
      const copy = Buffer.from(whole);
      copy[at]! ^= 0x10;
      return copy;
    };
    await refused(flipped(whole.length - 3), /data do not match their checksum/);
    await refused(flipped(16 + 10), /header does not match its checksum/);
    const missing = await errorOf(() => readCheckpointHeader(path.join(dir, 'integrity', 'none.ckpt')));
    expect(missing).toBeInstanceOf(CheckpointError);
    expect(missing.message).toMatch(/none\.ckpt does not exist/);
    // The intact file still loads.
    expect(() => loadCheckpoint(instance, file)).not.toThrow();
    instance.dispose();
  });

  it('a version-1 checkpoint still serves the linear probe (the model loads) and is refused for resuming', async () => {
    const spec = tinyTrainSpec('simclr', { projectionHiddenDim: 32, linearProbe: false });
    const { instance } = createInstance('simclr', { width: 8, projectionHiddenDim: 32 }, { seed: 3 });
    const file = path.join(dir, 'v1', 'step-2.ckpt');
    writeVersion1(instance, file, 'simclr');
    const header = readCheckpointHeader(file);
    expect(header).toMatchObject({ version: 1, step: 2, method: 'simclr' });
    expect(header.training).toBeUndefined();
    const fresh = createInstance('simclr', { width: 8, projectionHiddenDim: 32 }, { seed: 4 }).instance;
    loadCheckpoint(fresh, file);
    expect(stateOf(fresh)).toEqual(stateOf(instance));

    const error = await errorOf(() =>
      train({ ...spec, resume: { checkpointPath: file } }, quiet, () => false),
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).not.toContain('\n');
    expect(error.message).toBe(
      `checkpoint ${file} cannot resume this run: it is a version-1 checkpoint, which holds the model only ` +
        '(enough for the linear probe) and not the optimiser, queues and random state that resuming needs',
    );
    // A version-2 checkpoint of the model alone cannot resume either.
    const modelOnly = path.join(dir, 'v1', 'model-only.ckpt');
    await saveCheckpoint(instance, modelOnly, { runId: 1, step: 2, epoch: 1, method: 'simclr' });
    expect(openCheckpoint(modelOnly).trainingState()).toBeNull();
    const refused = await errorOf(() =>
      train({ ...spec, resume: { checkpointPath: modelOnly } }, quiet, () => false),
    );
    expect(refused.message).toMatch(/holds the model only, without the training state that resuming needs/);
    instance.dispose();
    fresh.dispose();
  });

  it('a training run’s checkpoints hold the optimiser, the method’s and the loop’s state besides the model', async () => {
    const runDir = path.join(dir, 'state-run');
    await train(
      tinyTrainSpec('mocov2', { queueSize: 32, linearProbe: false }, { checkpointDir: runDir }),
      quiet,
      () => false,
    );
    const header = readCheckpointHeader(path.join(runDir, 'step-2.ckpt'));
    const training = header.training!;
    expect(training.run).toMatchObject({
      dataset: { id: 'synthetic', trainCount: 128, height: 32, width: 32, channels: 3 },
      stepsPerEpoch: 2,
    });
    expect(training.run.config).toMatchObject({ queueSize: 32, epochs: 2, width: 8 });
    const names = training.tensors.map((t) => t.name);
    // A momentum buffer per trainable parameter, the queue's keys.
    const velocities = names.filter((n) => n.startsWith('optimizer.velocity.query.'));
    expect(velocities.length).toBeGreaterThan(0);
    expect(names).toContain('method.queue.keys');
    // The queue's pointer and fill, the shuffling BN's generator, the loop's position and generators.
    expect(Object.keys(training.values).sort()).toEqual([
      'loop.augment',
      'loop.batch',
      'loop.epoch',
      'loop.order',
      'loop.step',
      'method.queue.enqueued',
      'method.queue.pointer',
      'method.shuffle.position',
    ]);
    expect(training.values).toMatchObject({ 'loop.epoch': 1, 'loop.batch': 0, 'loop.step': 2 });
    expect(training.values).toMatchObject({ 'method.queue.enqueued': 128, 'method.queue.pointer': 0 });
  });
});
