import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import { teacherTemperatureAt, type DinoInstance } from '../../../src-main/engine/methods/dino';
import type { DinoHead } from '../../../src-main/engine/nn/heads/dino-head';
import { createOptimizer } from '../../../src-main/engine/nn/optimizers';
import { cosineRamp } from '../../../src-main/engine/nn/schedule';
import { afterOptimizerStep } from '../../../src-main/engine/runner/step';
import { createInstance, ctxAt, expectHealthyRun, randomBatch, trainTiny } from './method-harness';
import { expectMomentumStep, expectStopGradient, gradientMagnitudes, snapshot } from './ssl-helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const small = { localCrops: 2, prototypes: 32, headHiddenDim: 16, bottleneckDim: 8 };
const indices = [0, 1, 2, 3, 4, 5, 6, 7];

describe('dino', () => {
  it('trains one epoch with ViT-tiny and multi-crop without NaN/Inf and logs the kNN monitor', async () => {
    const points = await trainTiny('dino', { width: 4, ...small });
    expectHealthyRun(points);
    const temps = points.filter((p) => p.key === 'teacher_temperature').map((p) => p.value);
    // Warm-up over 3 epochs of 4 steps: 0.04 + 0.03·k/12.
    expect(temps).toEqual([0, 1, 2, 3].map((k) => expect.closeTo(0.04 + (0.03 * k) / 12, 6)));
    // The weight decay's cosine from 0.04 to 0.4 over the run's 4 steps (released main_dino.py).
    const decays = points.filter((p) => p.key === 'weight_decay').map((p) => p.value);
    expect(decays).toEqual([0, 1, 2, 3].map((k) => expect.closeTo(cosineRamp(k, 4, 0.04, 0.4), 6)));
  });

  it('declares the released code’s optimisation: weight decay 0.04 → 0.4 on a cosine, each gradient clipped to 3', () => {
    const { instance, config } = createInstance('dino', small);
    expect(config).toMatchObject({ weightDecay: 0.04, weightDecayEnd: 0.4, clipGrad: 3 });
    const rules = instance.optimisation!;
    expect(rules.clipGradientNorm).toBe(3);
    const at = (step: number) => rules.weightDecay!({ ...ctxAt(step), totalSteps: 100 });
    expect(at(0)).toBeCloseTo(0.04, 10);
    expect(at(50)).toBeCloseTo(0.22, 10);
    expect(at(100)).toBeCloseTo(0.4, 10);
    instance.dispose();
    const off = createInstance('dino', { ...small, clipGrad: 0, weightDecayEnd: 0.04 });
    expect(off.instance.optimisation!.clipGradientNorm).toBe(0);
    expect(off.instance.optimisation!.weightDecay!(ctxAt(70))).toBeCloseTo(0.04, 10);
    off.instance.dispose();
  });

  it('trains one epoch with a CNN backbone', async () => {
    expectHealthyRun(await trainTiny('dino', { backbone: 'convnet', ...small }));
  });

  it('warms the teacher temperature up linearly, then holds it', () => {
    expect(teacherTemperatureAt(0, 4, 3, 0.04, 0.07)).toBeCloseTo(0.04, 10);
    expect(teacherTemperatureAt(6, 4, 3, 0.04, 0.07)).toBeCloseTo(0.055, 10);
    expect(teacherTemperatureAt(12, 4, 3, 0.04, 0.07)).toBeCloseTo(0.07, 10);
    expect(teacherTemperatureAt(500, 4, 3, 0.04, 0.07)).toBeCloseTo(0.07, 10);
    expect(teacherTemperatureAt(0, 4, 0, 0.04, 0.07)).toBeCloseTo(0.07, 10);
  });

  it('plans 2 global crops (BYOL’s asymmetric pair) and N small local crops', () => {
    const m = getMethod('dino');
    const c = resolveConfig(m, {});
    expect(c).toMatchObject({
      backbone: 'vit_tiny',
      optimizer: 'adamw',
      lr: 5e-4,
      weightDecay: 0.04,
      studentTemperature: 0.1,
      teacherTemperature: 0.07,
      warmupTeacherTemperature: 0.04,
      teacherMomentum: 0.996,
      centerMomentum: 0.9,
      localCrops: 6,
    });
    const plan = m.viewPlan(c, 32);
    expect(plan.global.map((a) => [a.outputSize, a.cropScale, a.blurProb, a.solarizeProb])).toEqual([
      [32, [0.4, 1], 1, 0],
      [32, [0.4, 1], 0.1, 0.2],
    ]);
    expect(plan.local).toHaveLength(6);
    expect(plan.local[0]).toMatchObject({
      // 32·96/224 = 13.7 px, in whole 4-px ViT patches: 12.
      outputSize: 12,
      cropScale: [0.05, 0.4],
      blurProb: 0.5,
      solarizeProb: 0,
    });
  });

  it('the teacher sees only the global crops and gets no gradient; it follows the student by EMA', () => {
    const { instance, config } = createInstance('dino', small);
    const dino = instance as DinoInstance;
    const batch = randomBatch('dino', config, indices);
    expect(batch.views.map((v) => v.shape[1])).toEqual([32, 32, 12, 12]);
    const teacherForward = vi.spyOn(dino.teacher, 'forward');
    expectStopGradient(dino, batch, ctxAt(0, 1), dino.teacher);
    expect(teacherForward.mock.calls.map(([x]) => x.shape)).toEqual([[16, 32, 32, 3]]);
    teacherForward.mockRestore();

    const optimizer = createOptimizer(dino.trainableParameters(), {
      id: 'adamw',
      momentum: 0,
      weightDecay: 0.04,
    });
    const vars = dino.trainableParameters().map(([, v]) => v);
    const ctx = ctxAt(10, 2);
    const { value, grads } = tf.variableGrads(() => dino.step(batch, ctx).loss, vars);
    optimizer.step(
      vars.map((v) => grads[v.name]!),
      1e-3,
    );
    const before = snapshot(dino.teacher);
    const student = snapshot(dino.student);
    afterOptimizerStep(dino, batch, ctx);
    expectMomentumStep(before, student, snapshot(dino.teacher), cosineRamp(10, 100, 0.996, 1));
    tf.dispose([value, ...Object.values(grads), ...batch.views]);
    optimizer.dispose();
    dino.dispose();
  });

  it('updates the centre after each step: c ← m·c + (1 − m)·mean teacher output (Eq. 4)', () => {
    const { instance, config } = createInstance('dino', { ...small, centerMomentum: 0.8 });
    const dino = instance as DinoInstance;
    let center = Array.from(dino.center.dataSync());
    expect(center.every((v) => v === 0)).toBe(true);
    for (let s = 0; s < 3; s++) {
      const batch = randomBatch('dino', config, indices, s);
      const mean = tf.tidy(() =>
        Array.from(tf.mean(dino.teacher.forward(tf.concat(batch.views.slice(0, 2), 0), true), 0).dataSync()),
      );
      const loss = dino.step(batch, ctxAt(s)).loss;
      // Not updated inside the step, only after it.
      expect(Array.from(dino.center.dataSync())).toEqual(center);
      afterOptimizerStep(dino, batch, ctxAt(s));
      const want = center.map((c, k) => 0.8 * c + 0.2 * mean[k]!);
      const got = Array.from(dino.center.dataSync());
      got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 5));
      center = got;
      tf.dispose([loss, ...batch.views]);
    }
    dino.dispose();
  });

  it('freezes the prototype layer during the first epoch; prototypes are unit vectors', () => {
    const { instance, config } = createInstance('dino', small);
    const dino = instance as DinoInstance;
    const last = (dino.student.head as DinoHead).lastLayer.parameters()[0]!;
    const batch = randomBatch('dino', config, indices);
    const grad = (epoch: number) =>
      gradientMagnitudes(dino, batch, ctxAt(epoch * 4, epoch), [last]).get(last);
    expect(grad(0)).toBe(0);
    expect(grad(1)).toBeGreaterThan(0);
    const w = (dino.student.head as DinoHead).lastLayer.effectiveWeight();
    for (const n of Array.from(tf.norm(w, 2, 0).dataSync())) expect(n).toBeCloseTo(1, 5);
    tf.dispose([w, ...batch.views]);
    dino.dispose();
  });
});
