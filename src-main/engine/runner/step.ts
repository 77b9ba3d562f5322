import * as tf from '@tensorflow/tfjs-core';
import type { MethodInstance, StepContext, TrainBatch } from '../methods/method';
import { momentumUpdate } from '../nn/momentum';
import type { Optimizer } from '../nn/optimizers';

export interface StepOutcome {
  loss: number;
  /** The method's extra logged scalars, read back. */
  logs: Record<string, number>;
}

/**
 * One optimisation step of any method: its loss under the gradient tape, the optimiser update, then
 * its post-step state updates (afterOptimizerStep). The training loop and the speed benchmark both call
 * this, so the benchmark times exactly what training runs.
 */
export async function optimizationStep(
  instance: MethodInstance,
  optimizer: Optimizer,
  variables: tf.Variable[],
  batch: TrainBatch,
  ctx: StepContext,
  lr: number,
): Promise<StepOutcome> {
  const logged: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const result = instance.step(batch, ctx);
    for (const [k, t] of Object.entries(result.logs ?? {})) logged[k] = tf.keep(t);
    return result.loss;
  }, variables);
  optimizer.step(
    variables.map((v) => grads[v.name]!),
    lr,
  );
  afterOptimizerStep(instance, batch, ctx);
  const loss = (await value.data())[0]!;
  const logs: Record<string, number> = {};
  for (const [k, t] of Object.entries(logged)) logs[k] = (await t.data())[0]!;
  tf.dispose([value, ...Object.values(grads), ...Object.values(logged)]);
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
