import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { methods } from '../../../src-main/engine/methods';
import type { MethodInstance } from '../../../src-main/engine/methods/method';
import { createOptimizer, type Optimizer } from '../../../src-main/engine/nn/optimizers';
import type { Stateful } from '../../../src-main/engine/nn/training-state';
import {
  checkpointState,
  openCheckpoint,
  saveCheckpoint,
  type CheckpointRun,
} from '../../../src-main/engine/runner/checkpoint';
import { LoopState } from '../../../src-main/engine/runner/loop-state';
import { restoreRun, runTrainingState } from '../../../src-main/engine/runner/resume';
import { Rng } from '../../../src-main/engine/util/rng';
import { tempDir } from '../../helpers/cli';
import { createInstance, ctxAt, optimiseStep, randomBatch } from './method-harness';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = tempDir('contrastlab-method-state-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Every method with the state it keeps between steps switched on and small: queues (MoCo v1/v2, SwAV,
 * SimCLR v2's memory), memory banks with NCE (InstDisc, CMC), DINO's centre, SwAV's frozen prototypes,
 * CPC's sampled positions, WCL's local crops; batch 8 of 64 training images.
 */
const configs: Record<string, Record<string, unknown>> = {
  instdisc: { noiseSamples: 16, featureDim: 16 },
  cmc: { objective: 'memory-bank', noiseSamples: 16, featureDim: 16 },
  cpc: { maxPredictions: 32 },
  simclrv2: { momentumEncoder: true, queueSize: 32, projectionHiddenDim: 32 },
  moco: { queueSize: 16, bnGroups: 2 },
  mocov2: { queueSize: 16, bnGroups: 2, projectionHiddenDim: 32 },
  mocov3: { backbone: 'convnet' },
  swav: { queueLength: 16, queueStartEpoch: 0, freezePrototypesSteps: 5, localCrops: 2, numPrototypes: 10 },
  dino: { backbone: 'convnet', localCrops: 2, prototypes: 32, headHiddenDim: 32, bottleneckDim: 16 },
  wcl: { localCrops: 3, multiCropWarmupEpochs: 0 },
};

const indicesOf = (step: number) => Array.from({ length: 8 }, (_, i) => (step * 8 + i) % 64);

interface Trained {
  instance: MethodInstance;
  optimizer: Optimizer;
  state: Stateful;
}

function build(id: string, seed: number): Trained & { config: ReturnType<typeof createInstance>['config'] } {
  const { instance, config } = createInstance(id, { batchSize: 8, ...configs[id] }, { seed, trainSize: 64 });
  const optimizer = createOptimizer(instance.trainableParameters(), {
    id: config.optimizer,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
  });
  const state = runTrainingState(optimizer, instance, new LoopState(new Rng(seed), 0));
  return { instance, optimizer, state, config };
}

/** The loss of step `step` (epoch step / 4), on a batch fixed by the step. */
function stepAt(id: string, t: Trained, config: ReturnType<typeof createInstance>['config'], step: number) {
  const batch = randomBatch(id, config, indicesOf(step), step);
  const loss = optimiseStep(t.instance, t.optimizer, batch, ctxAt(step, Math.floor(step / 4)), 0.05);
  tf.dispose(batch.views);
  return loss;
}

/** The model's and the training state's values, by name. */
function snapshot(t: Trained): Record<string, unknown> {
  const training = t.state.trainingState();
  return {
    model: checkpointState(t.instance).map(([n, v]) => [n, Array.from(v.dataSync())]),
    tensors: [...training.tensors].map(([n, v]) => [n, Array.from(v.dataSync())]),
    values: Object.fromEntries(training.values),
  };
}

describe('every method’s training state', () => {
  for (const { id } of methods) {
    it(`${id}: saved after some steps and restored into an instance of another seed, the next step is the same`, async () => {
      const original = build(id, 1);
      for (let s = 0; s < 3; s++) stepAt(id, original, original.config, s);
      const file = path.join(dir, `${id}.ckpt`);
      const run: CheckpointRun = {
        config: original.config,
        dataset: { id: 'synthetic', trainCount: 64, height: 32, width: 32, channels: 3 },
        stepsPerEpoch: 8,
      };
      await saveCheckpoint(
        original.instance,
        file,
        { runId: 1, step: 3, epoch: 0.4, method: id },
        { run, state: original.state },
      );

      const restored = build(id, 2);
      expect(snapshot(restored)).not.toEqual(snapshot(original));
      restoreRun(openCheckpoint(file), restored.instance, restored.state);
      expect(snapshot(restored)).toEqual(snapshot(original));
      // The step after the checkpoint's: the same loss bit for bit, and the same state after it.
      const want = stepAt(id, original, original.config, 3);
      expect(stepAt(id, restored, restored.config, 3)).toBe(want);
      expect(snapshot(restored)).toEqual(snapshot(original));
      for (const t of [original, restored]) {
        t.optimizer.dispose();
        t.instance.dispose();
      }
    });
  }
});
