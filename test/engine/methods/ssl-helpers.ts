import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { MethodInstance, StepContext, TrainBatch } from '../../../src-main/engine/methods/method';
import type { Module } from '../../../src-main/engine/nn/module';
import { afterOptimizerStep } from '../../../src-main/engine/runner/step';

/** Every parameter and buffer value of a module, as plain arrays (a snapshot). */
export const snapshot = (m: Module): number[][] => m.state().map((v) => Array.from(v.dataSync()));

/** Asserts after = before + (1 − m)·(online − before) element-wise: one exact momentum step. */
export function expectMomentumStep(
  before: number[][],
  online: number[][],
  after: number[][],
  m: number,
): void {
  let moved = 0;
  after.forEach((vals, i) =>
    vals.forEach((v, j) => {
      const t = before[i]![j]!;
      const o = online[i]![j]!;
      const want = t + (1 - m) * (o - t);
      if (Math.abs(v - want) > 1e-6 + 1e-5 * Math.abs(want)) {
        throw new Error(`state ${i}[${j}]: got ${v}, want ${want} (target ${t}, online ${o}, m ${m})`);
      }
      if (Math.abs(v - t) > 0) moved++;
    }),
  );
  expect(moved).toBeGreaterThan(0);
}

/**
 * Max |gradient| of the step's loss for each of `vars` (0 where the variable is reached only through a
 * stop-gradient, or not at all), computed as the training loop does, under tf.variableGrads.
 */
export function gradientMagnitudes(
  instance: MethodInstance,
  batch: TrainBatch,
  ctx: StepContext,
  vars: tf.Variable[],
): Map<tf.Variable, number> {
  const { value, grads } = tf.variableGrads(() => instance.step(batch, ctx).loss, vars);
  const out = new Map<tf.Variable, number>();
  for (const v of vars) {
    const g = grads[v.name];
    out.set(v, g ? tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) : 0);
  }
  tf.dispose([value, ...Object.values(grads)]);
  afterOptimizerStep(instance, batch, ctx);
  return out;
}

/** Asserts that the target module receives exactly zero gradient and the online module a non-zero one. */
export function expectStopGradient(
  instance: MethodInstance,
  batch: TrainBatch,
  ctx: StepContext,
  target: Module,
): void {
  const online = instance.trainableParameters().map(([, v]) => v);
  const frozen = target.parameters();
  const g = gradientMagnitudes(instance, batch, ctx, [...online, ...frozen]);
  for (const v of frozen) expect(g.get(v), v.name).toBe(0);
  expect(Math.max(...online.map((v) => g.get(v)!))).toBeGreaterThan(0);
}
