import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import type { Module } from './module';

/**
 * Training state: what a stateful piece of training (the optimiser, a queue, a memory bank, a method's
 * own statistics, a random generator, the loop's position) keeps between steps, declared once by the
 * piece itself, so that a checkpoint (runner/checkpoint.ts) can save it by walking the pieces and a
 * resumed run continue exactly from the step boundary it was saved at. Model weights and batch-norm
 * buffers of the modules a method exposes are not training state: the checkpoint saves those as the
 * model (they serve evaluation too).
 */

/** A JSON value of a piece's state besides its tensors: counters, pointers, generator positions. */
export type StateValue = number | boolean | string | null;

/** One piece's state: float32 tensors and JSON values, by name (dotted names nest, see stateGroup). */
export interface TrainingState {
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
  readonly values: ReadonlyMap<string, StateValue>;
}

export interface Stateful {
  /** The state now, between two steps. Its tensors belong to the piece: read them, do not dispose them. */
  trainingState(): TrainingState;
  /**
   * Puts back a state that trainingState() gave, of a piece built from the same config. The tensors
   * belong to the caller: the piece copies what it keeps. Throws naming the first entry that is missing
   * or has another shape.
   */
  restoreTrainingState(state: TrainingState): void;
}

export function makeTrainingState(
  tensors: Iterable<readonly [string, tf.Tensor]> = [],
  values: Iterable<readonly [string, StateValue]> = [],
): TrainingState {
  return { tensors: new Map(tensors), values: new Map(values) };
}

/** A piece with nothing to save (and nothing it accepts back). */
export const stateless: Stateful = {
  trainingState: () => makeTrainingState(),
  restoreTrainingState: (state) => expectOnly(state, [], []),
};

/** Throws when the state holds a tensor or value other than those named. */
export function expectOnly(state: TrainingState, tensors: string[], values: string[]): void {
  const extra = [
    ...[...state.tensors.keys()].filter((k) => !tensors.includes(k)),
    ...[...state.values.keys()].filter((k) => !values.includes(k)),
  ];
  if (extra.length) throw new Error(`the saved state has ${extra[0]}, which this run does not keep`);
}

/** The saved tensor `name`, checked against the shape it must have. */
export function savedTensor(state: TrainingState, name: string, shape: readonly number[]): tf.Tensor {
  const t = state.tensors.get(name);
  if (!t) throw new Error(`the saved state lacks ${name}`);
  if (t.shape.join() !== shape.join()) {
    throw new Error(`the saved ${name} has shape [${t.shape}], this run's [${shape}]`);
  }
  return t;
}

/** variable ← the saved tensor `name` (same shape). */
export function restoreVariable(state: TrainingState, name: string, variable: tf.Variable): void {
  restoreVariables(state, [[name, variable]]);
}

/** Each variable ← its saved tensor, all checked before any is assigned. */
export function restoreVariables(
  state: TrainingState,
  variables: readonly (readonly [string, tf.Variable])[],
): void {
  const saved = variables.map(([name, v]) => savedTensor(state, name, v.shape));
  variables.forEach(([, v], i) => v.assign(saved[i]!));
}

/** The saved value `name`, which must be a number (or null where `nullable`). */
export function savedNumber(state: TrainingState, name: string): number;
export function savedNumber(state: TrainingState, name: string, nullable: true): number | null;
export function savedNumber(state: TrainingState, name: string, nullable = false): number | null {
  const v = state.values.get(name);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (nullable && v === null) return null;
  throw new Error(`the saved state ${state.values.has(name) ? `has a bad ${name}` : `lacks ${name}`}`);
}

/**
 * Several pieces as one: each part's names are prefixed with its key and a dot, and a restore hands each
 * part back what was saved under its key. Keys must not contain a dot. A part that is null is absent from
 * this run (e.g. a queue switched off): anything saved under its key is refused.
 */
export function stateGroup(parts: Record<string, Stateful | null | undefined>): Stateful {
  const present = Object.entries(parts).filter((e): e is [string, Stateful] => e[1] != null);
  for (const [key] of present) if (key.includes('.')) throw new Error(`stateGroup: key ${key} has a dot`);
  return {
    trainingState() {
      const tensors: [string, tf.Tensor][] = [];
      const values: [string, StateValue][] = [];
      for (const [key, part] of present) {
        const s = part.trainingState();
        for (const [n, t] of s.tensors) tensors.push([`${key}.${n}`, t]);
        for (const [n, v] of s.values) values.push([`${key}.${n}`, v]);
      }
      return makeTrainingState(tensors, values);
    },
    restoreTrainingState(state) {
      const keys = new Set(present.map(([key]) => key));
      for (const name of [...state.tensors.keys(), ...state.values.keys()]) {
        if (!keys.has(name.split('.', 1)[0]!)) {
          throw new Error(`the saved state has ${name}, which this run does not keep`);
        }
      }
      for (const [key, part] of present) part.restoreTrainingState(withPrefix(state, key));
    },
  };
}

/** The entries of `state` under `key.`, with that prefix removed. */
function withPrefix(state: TrainingState, key: string): TrainingState {
  const p = `${key}.`;
  const strip = <V>(m: ReadonlyMap<string, V>) =>
    [...m].filter(([n]) => n.startsWith(p)).map(([n, v]) => [n.slice(p.length), v] as const);
  return makeTrainingState(strip(state.tensors), strip(state.values));
}

/** Variables saved and restored as they are, by name: a module that is no field of its method (see moduleState). */
export function variablesState(variables: readonly (readonly [string, tf.Variable])[]): Stateful {
  return {
    trainingState: () => makeTrainingState(variables),
    restoreTrainingState(state) {
      expectOnly(
        state,
        variables.map(([n]) => n),
        [],
      );
      restoreVariables(state, variables);
    },
  };
}

/**
 * A module's parameters and buffers, for a module the checkpoint's model part cannot reach (one kept in
 * a method's closure or in a plain object, e.g. SimCLR v2's momentum memory network).
 */
export function moduleState(module: Module): Stateful {
  return variablesState([...module.namedParameters(), ...module.namedBuffers()]);
}

/**
 * A module's buffers only (batch-norm running statistics), for a head kept in a method's closure whose
 * parameters the model part already saves through the method's trainable parameters.
 */
export function bufferState(module: Module): Stateful {
  return variablesState(module.namedBuffers());
}

/** A random generator's position, so that its stream continues where it was. */
export function rngState(rng: Rng): Stateful {
  return {
    trainingState: () => makeTrainingState([], [['position', rng.position]]),
    restoreTrainingState(state) {
      expectOnly(state, [], ['position']);
      rng.position = savedNumber(state, 'position');
    },
  };
}
