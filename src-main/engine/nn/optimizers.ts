import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { adamWUpdate } from '../backend/kernels/adamw-update';
import { larsUpdate } from '../backend/kernels/lars-update';
import { sgdUpdate } from '../backend/kernels/sgd-update';
import {
  expectOnly,
  restoreVariables,
  savedNumber,
  makeTrainingState,
  type Stateful,
  type TrainingState,
} from './training-state';

export const OptimizerId = z.enum(['sgd', 'lars', 'adamw']);
export type OptimizerId = z.infer<typeof OptimizerId>;

export interface OptimizerSettings {
  id: OptimizerId;
  momentum: number;
  weightDecay: number;
  /** LARS's trust coefficient η (default 0.001, You et al. 2017); the other optimisers ignore it. */
  trustCoefficient?: number;
  /** SGD only: Nesterov momentum (torch.optim.SGD nesterov=True). */
  nesterov?: boolean;
  /** SGD only: no decay on biases and normalisation parameters (LARS and AdamW never decay them). */
  exemptNormsFromDecay?: boolean;
}

/** A named trainable parameter; names decide weight-decay exclusion. */
export type NamedParameter = [string, tf.Variable];

/** Biases and normalisation parameters get no weight decay or LARS adaptation (SimCLR, appendix B.1). */
export function isDecayExempt(name: string): boolean {
  return /(^|\.)(bias|gamma|beta)$/.test(name);
}

/** A zero-initialised, non-trainable slot variable shaped like `p` (momentum, Adam moments). */
function zeroState(p: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(p), false));
}

/**
 * An optimiser. Its training state (Stateful) is its slots by parameter name, `<slot>.<parameter>`, and
 * its counters: what the next update depends on besides the parameters, gradients and learning rate.
 */
export interface Optimizer extends Stateful {
  /**
   * Applies one update with the given gradients (same order as the parameters) and learning rate: one
   * for all, or one per parameter (parameter groups, nn/parameter-groups.ts). `weightDecay` replaces the
   * settings' for this step, where a schedule changes it (DINO).
   */
  step(grads: tf.Tensor[], lr: LearningRates, weightDecay?: number): void;
  dispose(): void;
}

/** One learning rate for every parameter, or one per parameter in the parameters' order. */
export type LearningRates = number | readonly number[];

/** The learning rate of parameter i. */
function rateOf(lr: LearningRates, i: number): number {
  return typeof lr === 'number' ? lr : lr[i]!;
}

/** The slots of an optimiser, one variable per parameter each, as training state named `<slot>.<parameter>`. */
function slotEntries(
  params: NamedParameter[],
  slots: Record<string, tf.Variable[]>,
): [string, tf.Variable][] {
  return Object.entries(slots).flatMap(([slot, vars]) =>
    params.map(([name], i) => [`${slot}.${name}`, vars[i]!] as [string, tf.Variable]),
  );
}

function restoreSlots(
  state: TrainingState,
  params: NamedParameter[],
  slots: Record<string, tf.Variable[]>,
  values: string[] = [],
): void {
  const entries = slotEntries(params, slots);
  expectOnly(
    state,
    entries.map(([n]) => n),
    values,
  );
  restoreVariables(state, entries);
}

/**
 * SGD with momentum and coupled L2 weight decay, as torch.optim.SGD: v ← μv + (g + λw); w ← w − η v,
 * or w ← w − η(g + λw + μv) with Nesterov momentum.
 */
class Sgd implements Optimizer {
  private readonly velocity: tf.Variable[];

  constructor(
    private readonly params: NamedParameter[],
    private readonly s: OptimizerSettings,
  ) {
    this.velocity = params.map(([, p]) => zeroState(p));
  }

  step(grads: tf.Tensor[], lr: LearningRates, weightDecay = this.s.weightDecay): void {
    tf.tidy(() => {
      this.params.forEach(([name, p], i) => {
        const exempt = this.s.exemptNormsFromDecay === true && isDecayExempt(name);
        const attrs = {
          lr: rateOf(lr, i),
          momentum: this.s.momentum,
          weightDecay: exempt ? 0 : weightDecay,
          nesterov: this.s.nesterov === true,
        };
        const [w, v] = sgdUpdate(p, this.velocity[i]!, grads[i]!, attrs);
        this.velocity[i]!.assign(v);
        p.assign(w);
      });
    });
  }

  /** The momentum buffers v, by parameter. */
  trainingState(): TrainingState {
    return makeTrainingState(slotEntries(this.params, { velocity: this.velocity }));
  }

  restoreTrainingState(state: TrainingState): void {
    restoreSlots(state, this.params, { velocity: this.velocity });
  }

  dispose(): void {
    this.velocity.forEach((v) => v.dispose());
  }
}

/**
 * LARS (You et al. 2017) as used by SimCLR: the update of each weight tensor is scaled by the trust
 * ratio η‖w‖/‖g + λw‖; biases and BN parameters are excluded from both decay and adaptation.
 */
class Lars implements Optimizer {
  private readonly velocity: tf.Variable[];
  private readonly trustCoefficient: number;

  constructor(
    private readonly params: NamedParameter[],
    private readonly s: OptimizerSettings,
  ) {
    this.velocity = params.map(([, p]) => zeroState(p));
    this.trustCoefficient = s.trustCoefficient ?? 0.001;
  }

  step(grads: tf.Tensor[], lr: LearningRates, weightDecay = this.s.weightDecay): void {
    tf.tidy(() => {
      this.params.forEach(([name, p], i) => {
        const step = { lr: rateOf(lr, i), momentum: this.s.momentum };
        const [w, v] = isDecayExempt(name)
          ? sgdUpdate(p, this.velocity[i]!, grads[i]!, { ...step, weightDecay: 0, nesterov: false })
          : larsUpdate(p, this.velocity[i]!, grads[i]!, {
              ...step,
              weightDecay,
              trustCoefficient: this.trustCoefficient,
            });
        this.velocity[i]!.assign(v);
        p.assign(w);
      });
    });
  }

  /** The momentum buffers v, by parameter (the trust ratio is recomputed at every step). */
  trainingState(): TrainingState {
    return makeTrainingState(slotEntries(this.params, { velocity: this.velocity }));
  }

  restoreTrainingState(state: TrainingState): void {
    restoreSlots(state, this.params, { velocity: this.velocity });
  }

  dispose(): void {
    this.velocity.forEach((v) => v.dispose());
  }
}

/** AdamW (Loshchilov & Hutter 2019), decoupled weight decay; β = (0.9, 0.999) as MoCo v3 and DINO use. */
class AdamW implements Optimizer {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  private readonly beta1 = 0.9;
  private readonly beta2 = 0.999;
  private readonly eps = 1e-8;

  constructor(
    private readonly params: NamedParameter[],
    private readonly s: OptimizerSettings,
  ) {
    this.m = params.map(([, p]) => zeroState(p));
    this.v = params.map(([, p]) => zeroState(p));
  }

  step(grads: tf.Tensor[], lr: LearningRates, weightDecay = this.s.weightDecay): void {
    this.t += 1;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      this.params.forEach(([name, p], i) => {
        const [w, m, v] = adamWUpdate(p, this.m[i]!, this.v[i]!, grads[i]!, {
          lr: rateOf(lr, i),
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.eps,
          weightDecay: isDecayExempt(name) ? 0 : weightDecay,
          correction1: c1,
          correction2: c2,
        });
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        p.assign(w);
      });
    });
  }

  /** The first and second moments by parameter, and the update count t of the bias corrections. */
  trainingState(): TrainingState {
    return makeTrainingState(slotEntries(this.params, { m: this.m, v: this.v }), [['t', this.t]]);
  }

  restoreTrainingState(state: TrainingState): void {
    const t = savedNumber(state, 't');
    restoreSlots(state, this.params, { m: this.m, v: this.v }, ['t']);
    this.t = t;
  }

  dispose(): void {
    [...this.m, ...this.v].forEach((v) => v.dispose());
  }
}

export function createOptimizer(params: NamedParameter[], settings: OptimizerSettings): Optimizer {
  switch (settings.id) {
    case 'sgd':
      return new Sgd(params, settings);
    case 'lars':
      return new Lars(params, settings);
    case 'adamw':
      return new AdamW(params, settings);
  }
}
