import * as tf from '@tensorflow/tfjs-core';
import type { MethodInstance, StepContext, TrainBatch } from '../methods/method';
import { momentumUpdate } from '../nn/momentum';
import { clipGradientsPerParameter } from '../nn/gradient-clipping';
import type { NamedParameter, Optimizer } from '../nn/optimizers';
import { parameterLearningRates, type StepRates } from '../nn/parameter-groups';
import { cosineSchedule, learningRateAt } from '../nn/schedule';

export interface StepOutcome {
  loss: number;
  /** The method's extra logged scalars, read back. */
  logs: Record<string, number>;
}

/**
 * The learning rate of the step `ctx` under the method's schedule (cosine unless it declares another),
 * after `warmupSteps` of linear warm-up to `peakLr`: the rate the loop logs, and that of every
 * parameter outside a group with its own rule.
 */
export function scheduledLearningRate(
  instance: MethodInstance,
  ctx: StepContext,
  warmupSteps: number,
  peakLr: number,
): number {
  const schedule = instance.optimisation?.lrSchedule ?? cosineSchedule;
  return learningRateAt(schedule, ctx.step, ctx.totalSteps, warmupSteps, peakLr);
}

/**
 * One optimisation step of any method: its loss under the gradient tape, the optimiser update with the
 * method's optimisation rules (per-parameter clipping, parameter groups' rates, a scheduled weight
 * decay), then its post-step state updates (afterOptimizerStep). The training loop and the speed
 * benchmark both call this, so the benchmark times exactly what training runs.
 */
export async function optimizationStep(
  instance: MethodInstance,
  optimizer: Optimizer,
  params: readonly NamedParameter[],
  batch: TrainBatch,
  ctx: StepContext,
  rates: StepRates,
): Promise<StepOutcome> {
  const rules = instance.optimisation ?? {};
  const logged: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(
    () => {
      const result = instance.step(batch, ctx);
      for (const [k, t] of Object.entries(result.logs ?? {})) logged[k] = tf.keep(t);
      return result.loss;
    },
    params.map(([, v]) => v),
  );
  const ordered = params.map(([, v]) => grads[v.name]!);
  const clipped =
    rules.clipGradientNorm && rules.clipGradientNorm > 0
      ? clipGradientsPerParameter(ordered, rules.clipGradientNorm)
      : null;
  const lrs = rules.parameterGroups ? parameterLearningRates(params, rules.parameterGroups, rates) : rates.lr;
  optimizer.step(clipped ?? ordered, lrs, rules.weightDecay?.(ctx));
  afterOptimizerStep(instance, batch, ctx);
  const loss = (await value.data())[0]!;
  const logs: Record<string, number> = {};
  for (const [k, t] of Object.entries(logged)) logs[k] = (await t.data())[0]!;
  tf.dispose([value, ...Object.values(grads), ...Object.values(logged), ...(clipped ?? [])]);
  return { loss, logs };
}

/**
 * The state updates after the optimiser step, outside the gradient scope: every momentum pair the
 * method declares, with its coefficient for this step, then the method's afterStep. The pairs come
 * first as in MoCo's Algorithm 1 (update the key encoder, then enqueue) and DINO's (teacher, then centre).
 */
export function afterOptimizerStep(instance: MethodInstance, batch: TrainBatch, ctx: StepContext): void {
  for (const pair of instance.momentumPairs ?? []) {
    momentumUpdate(pair.online, pair.target, pair.momentum(ctx));
  }
  instance.afterStep?.(batch, ctx);
}
