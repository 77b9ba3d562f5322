import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../nn/backbones';
import type { Module } from '../nn/module';
import type { Tower } from '../nn/tower';
import { bufferState, stateGroup } from '../nn/training-state';
import type { MethodInstance } from './method';

/**
 * The module bookkeeping of an end-to-end method with one encoder and one head (SimCLR, SupCon, InvaSpread):
 * the evaluated encoder, the head as its projector (for the diagnostics), its parameters under `encoder.` and
 * the head's under `head.`, and disposal of both. The checkpoint's model part is the encoder alone: the head's
 * parameters follow as trainable ones and its batch-norm statistics are training state, as before the head
 * was exposed, so earlier checkpoints still load.
 */
export function encoderWithHead(
  encoder: Backbone,
  head: Module,
): Pick<
  MethodInstance,
  | 'encoder'
  | 'projector'
  | 'checkpointModules'
  | 'trainableParameters'
  | 'trainingState'
  | 'restoreTrainingState'
  | 'dispose'
> {
  const state = stateGroup({ head: bufferState(head) });
  return {
    encoder,
    projector: head,
    checkpointModules: () => ({ encoder }),
    trainableParameters: () => [...encoder.namedParameters('encoder.'), ...head.namedParameters('head.')],
    trainingState: () => state.trainingState(),
    restoreTrainingState: (saved) => state.restoreTrainingState(saved),
    dispose() {
      encoder.dispose();
      head.dispose();
    },
  };
}

/** Encoder then head over all the views as one batch, so batch norm sees them together: [views·N, D]. */
export function forwardJointly(encoder: Backbone, head: Module, views: tf.Tensor4D[]): tf.Tensor2D {
  return head.forward(encoder.forward(tf.concat(views, 0), true), true) as tf.Tensor2D;
}

/** The modules of an online tower + predictor regressing a momentum target tower (BYOL, MoCo v3). */
export interface OnlineTargetModules {
  readonly online: Tower;
  readonly predictor: Module;
  readonly target: Tower;
}

/**
 * The bookkeeping of an online/predictor/target method: the online backbone is evaluated, the online tower (less
 * any `frozen` variables) and the predictor are trained, and all three are disposed.
 */
export function onlineTargetInstance(
  { online, predictor, target }: OnlineTargetModules,
  frozen: ReadonlySet<tf.Variable> = new Set(),
): OnlineTargetModules & Pick<MethodInstance, 'encoder' | 'trainableParameters' | 'dispose'> {
  return {
    encoder: online.backbone,
    online,
    predictor,
    target,
    trainableParameters: () => [
      ...online.namedParameters('online.').filter(([, v]) => !frozen.has(v)),
      ...predictor.namedParameters('predictor.'),
    ],
    dispose() {
      online.dispose();
      predictor.dispose();
      target.dispose();
    },
  };
}

/**
 * One forward per view, as BYOL's and MoCo v3's reference code do (so BN statistics are per view): the online
 * predictions p1, p2 and the target projections z1, z2, the target in training mode (batch statistics).
 */
export function predictAndProject(
  { online, predictor, target }: OnlineTargetModules,
  v1: tf.Tensor4D,
  v2: tf.Tensor4D,
): { p1: tf.Tensor2D; p2: tf.Tensor2D; z1: tf.Tensor2D; z2: tf.Tensor2D } {
  const p1 = predictor.forward(online.forward(v1, true), true) as tf.Tensor2D;
  const p2 = predictor.forward(online.forward(v2, true), true) as tf.Tensor2D;
  const z1 = target.forward(v1, true) as tf.Tensor2D;
  const z2 = target.forward(v2, true) as tf.Tensor2D;
  return { p1, p2, z1, z2 };
}
