import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, type OptimizerId } from '../../../src-main/engine/nn/optimizers';
import { KeyQueue } from '../../../src-main/engine/nn/queue';
import {
  makeTrainingState,
  rngState,
  stateGroup,
  type TrainingState,
} from '../../../src-main/engine/nn/training-state';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A deep copy of a state, as a checkpoint file gives it back: new tensors, owned by the caller. */
function copied(state: TrainingState): TrainingState {
  return makeTrainingState(
    [...state.tensors].map(([n, t]) => [n, tf.tensor(t.dataSync(), t.shape, 'float32')] as const),
    state.values,
  );
}

const disposeState = (state: TrainingState) => state.tensors.forEach((t) => t.dispose());

describe('Rng positions', () => {
  it('a generator at a saved position continues the stream exactly; position 0 is an ordinary one', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 5; i++) rng.next();
    const at = rng.position;
    const rest = Array.from({ length: 20 }, () => rng.next());
    expect(Array.from({ length: 20 }, () => Rng.at(at).next())).not.toEqual(rest);
    const resumed = Rng.at(at);
    expect(Array.from({ length: 20 }, () => resumed.next())).toEqual(rest);
    // The constructor maps seed 0 elsewhere; a position is taken as it is.
    expect(Rng.at(0).position).toBe(0);
    expect(new Rng(0).position).not.toBe(0);
    expect(() => (rng.position = -1)).toThrow(RangeError);
    expect(() => (rng.position = 2 ** 32)).toThrow(RangeError);
  });
});

describe('optimiser state', () => {
  for (const id of ['sgd', 'lars', 'adamw'] as OptimizerId[]) {
    it(`${id}: restored slots and counters make the next update the one the original optimiser makes`, () => {
      const make = () => [
        ['layer.weight', tf.variable(tf.tensor2d([[1, -2, 0.5, 3]]))] as [string, tf.Variable],
        ['layer.bias', tf.variable(tf.tensor1d([0.1]))] as [string, tf.Variable],
      ];
      const settings = { id, momentum: 0.9, weightDecay: 0.01 };
      const grads = (k: number) => [tf.tensor2d([[k, -1, 2 * k, 0.5]]), tf.tensor1d([k / 10])];
      const original = make();
      const optimizer = createOptimizer(original, settings);
      for (let k = 1; k <= 3; k++) optimizer.step(grads(k), 0.1);

      const saved = copied(optimizer.trainingState());
      const names = [...saved.tensors.keys()];
      if (id === 'adamw') {
        expect(names).toEqual(['m.layer.weight', 'm.layer.bias', 'v.layer.weight', 'v.layer.bias']);
        expect(saved.values.get('t')).toBe(3);
      } else {
        expect(names).toEqual(['velocity.layer.weight', 'velocity.layer.bias']);
      }
      // A copy of the parameters with a fresh optimiser, with and without the saved state.
      const restoredParams = make();
      const freshParams = make();
      original.forEach(([, v], i) => {
        restoredParams[i]![1].assign(v);
        freshParams[i]![1].assign(v);
      });
      const restored = createOptimizer(restoredParams, settings);
      restored.restoreTrainingState(saved);
      disposeState(saved);
      const fresh = createOptimizer(freshParams, settings);
      for (const o of [optimizer, restored, fresh]) o.step(grads(4), 0.1);
      const values = (ps: [string, tf.Variable][]) => ps.map(([, v]) => Array.from(v.dataSync()));
      expect(values(restoredParams)).toEqual(values(original));
      expect(values(freshParams)).not.toEqual(values(original));
      for (const o of [optimizer, restored, fresh]) o.dispose();
    });
  }

  it('refuses the state of another model, naming the tensor', () => {
    const a = createOptimizer([['w', tf.variable(tf.zeros([3]))]], {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    const b = createOptimizer([['w', tf.variable(tf.zeros([4]))]], {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    expect(() => b.restoreTrainingState(a.trainingState())).toThrow(
      "the saved velocity.w has shape [3], this run's [4]",
    );
    const c = createOptimizer([['u', tf.variable(tf.zeros([3]))]], {
      id: 'sgd',
      momentum: 0.9,
      weightDecay: 0,
    });
    expect(() => c.restoreTrainingState(a.trainingState())).toThrow(
      /velocity\.w, which this run does not keep/,
    );
  });
});

describe('KeyQueue state', () => {
  it('keys, pointer and fill come back, so the next enqueue overwrites the same rows', () => {
    const original = new KeyQueue(5, 2, new Rng(1));
    original.enqueue(
      tf.tensor2d([
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    );
    const saved = copied(original.trainingState());
    expect(Object.fromEntries(saved.values)).toEqual({ pointer: 3, enqueued: 3 });
    const restored = new KeyQueue(5, 2, new Rng(9));
    restored.restoreTrainingState(saved);
    disposeState(saved);
    expect(restored.filled).toBe(3);
    for (const q of [original, restored])
      q.enqueue(
        tf.tensor2d([
          [4, 4],
          [5, 5],
          [6, 6],
        ]),
      );
    expect(restored.pointer).toBe(original.pointer);
    expect(restored.filled).toBe(5);
    expect(restored.ordered().arraySync()).toEqual(original.ordered().arraySync());
    const wrong = makeTrainingState(original.trainingState().tensors, [
      ['pointer', 7],
      ['enqueued', 3],
    ]);
    expect(() => restored.restoreTrainingState(wrong)).toThrow(/pointer 7 is outside 0…4/);
    expect(() => new KeyQueue(4, 2, new Rng(1)).restoreTrainingState(original.trainingState())).toThrow(
      /keys has shape \[5,2\], this run's \[4,2\]/,
    );
  });
});

describe('state groups', () => {
  it('prefix their parts, hand each its own entries back, and refuse entries of a part they lack', () => {
    const first = new Rng(1);
    const second = new Rng(2);
    const group = stateGroup({ a: rngState(first), b: rngState(second), off: null });
    const saved = group.trainingState();
    expect(Object.fromEntries(saved.values)).toEqual({
      'a.position': first.position,
      'b.position': second.position,
    });
    const [p1, p2] = [first.position, second.position];
    first.next();
    second.next();
    group.restoreTrainingState(saved);
    expect([first.position, second.position]).toEqual([p1, p2]);
    const extra = makeTrainingState([], [...saved.values, ['off.position', 3]]);
    expect(() => group.restoreTrainingState(extra)).toThrow(/off\.position, which this run does not keep/);
    expect(() => group.restoreTrainingState(makeTrainingState([], [['a.position', 1]]))).toThrow(
      /lacks position/,
    );
  });
});
