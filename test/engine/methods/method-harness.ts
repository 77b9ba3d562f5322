import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { MethodInstance, StepContext, TrainBatch } from '../../../src-main/engine/methods/method';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { afterOptimizerStep } from '../../../src-main/engine/runner/step';
import { train, type TrainReporter } from '../../../src-main/engine/runner/train';
import { Rng } from '../../../src-main/engine/util/rng';

export interface Point {
  step: number;
  key: string;
  value: number;
}

/**
 * Trains `method` in-process through the real training loop for one epoch on 256 synthetic images (batch 64,
 * four steps, width 8, wasm backend) and returns the logged metrics. Also checks that every tensor the run
 * allocated was released again (the method's dispose() frees everything its create() made).
 */
export async function trainTiny(method: string, config: Record<string, unknown> = {}): Promise<Point[]> {
  await initBackend('wasm');
  const full = { epochs: 1, width: 8, batchSize: 64, knnK: 20, ...config };
  // create() then dispose() must release every tensor it made.
  const resolved = resolveConfig(getMethod(method), full);
  let before = tf.memory().numTensors;
  const probe = getMethod(method).create(resolved, {
    rng: new Rng(1),
    imageSize: 32,
    channels: 3,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    trainSize: 256,
  });
  const parameterTensors = probe.trainableParameters().length;
  probe.dispose();
  expect(tf.memory().numTensors).toBe(before);
  // nn/optimizers.ts leaves the zerosLike() that seeds each optimiser slot undisposed (one per parameter, two
  // for AdamW), once per run; that much is allowed, anything beyond it would be the method's.
  const optimizerSlots = parameterTensors * (resolved.optimizer === 'adamw' ? 2 : 1);
  before = tf.memory().numTensors;
  const points: Point[] = [];
  const reporter: TrainReporter = {
    started: () => {},
    metric: (step, _epoch, key, value) => points.push({ step, key, value }),
    progress: () => {},
    log: () => {},
  };
  const outcome = await train(
    {
      runId: 1,
      method,
      dataset: { id: 'synthetic', trainSize: 256, testSize: 128 },
      backend: 'wasm',
      config: resolveConfig(getMethod(method), full),
    },
    reporter,
    () => false,
  );
  expect(outcome).toBe('completed');
  expect(tf.memory().numTensors - before).toBeLessThanOrEqual(optimizerSlots);
  return points;
}

/** The common assertions on a tiny run: finite metrics, four losses, and the kNN monitor before and after. */
export function expectHealthyRun(points: Point[]): void {
  expect(points.filter((p) => !Number.isFinite(p.value))).toEqual([]);
  expect(points.filter((p) => p.key === 'loss')).toHaveLength(4);
  const knn = points.filter((p) => p.key === 'knn_top1');
  expect(knn.map((p) => p.step)).toEqual([0, 4]);
  for (const p of knn) expect(p.value).toBeGreaterThanOrEqual(0);
}

/** A method instance built from its definition and a partial config, as the training loop builds it. */
export function createInstance(
  id: string,
  config: Record<string, unknown>,
  env: { trainSize?: number; imageSize?: number; channels?: number; seed?: number } = {},
): { instance: MethodInstance; config: ReturnType<typeof resolveConfig> } {
  const method = getMethod(id);
  const resolved = resolveConfig(method, { width: 4, ...config });
  const instance = method.create(resolved, {
    rng: new Rng(env.seed ?? 1),
    imageSize: env.imageSize ?? 32,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    channels: env.channels ?? 3,
    trainSize: env.trainSize ?? 64,
  });
  return { instance, config: resolved };
}

/** A batch of random "normalised" views with the shapes of the method's view plan. */
export function randomBatch(
  id: string,
  config: ReturnType<typeof resolveConfig>,
  indices: number[],
  seed = 0,
): TrainBatch {
  const plan = getMethod(id).viewPlan(config, 32);
  const n = indices.length;
  const views = [...plan.global, ...plan.local].map(
    (a, i) =>
      // + 1: tfjs draws an op given seed 0 from Math.random, so the first view would differ on every call.
      tf.randomNormal([n, a.outputSize, a.outputSize, 3], 0, 1, 'float32', seed * 31 + i + 1) as tf.Tensor4D,
  );
  return { views, indices: Int32Array.from(indices), labels: Int32Array.from(indices, (i) => i % 3) };
}

/**
 * One optimisation step as the training loop runs it: step() under variableGrads, the optimiser, then
 * the momentum pairs and afterStep() (runner/step.ts), but with one rate for every parameter and none of
 * the method's optimisation rules (optimizationStep applies those). Returns the loss.
 */
export function optimiseStep(
  instance: MethodInstance,
  optimizer: ReturnType<typeof createOptimizer>,
  batch: TrainBatch,
  ctx: StepContext,
  lr = 0.1,
): number {
  const variables = instance.trainableParameters().map(([, v]) => v);
  const { value, grads } = tf.variableGrads(() => instance.step(batch, ctx).loss, variables);
  optimizer.step(
    variables.map((v) => grads[v.name]!),
    lr,
  );
  afterOptimizerStep(instance, batch, ctx);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

export const ctxAt = (step: number, epoch = 0): StepContext => ({
  step,
  totalSteps: 100,
  epoch,
  stepsPerEpoch: 4,
});

/** Max |a − b| over two tensors (or arrays). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
