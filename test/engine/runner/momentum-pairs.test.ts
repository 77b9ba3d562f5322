import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import type { ByolInstance } from '../../../src-main/engine/methods/byol';
import type { Module } from '../../../src-main/engine/nn/module';
import { cosineRamp } from '../../../src-main/engine/nn/schedule';
import type { TrainingCallback } from '../../../src-main/engine/runner/callbacks/training-callback';
import { train } from '../../../src-main/engine/runner/train';
import { expectMomentumStep } from '../methods/ssl-helpers';
import { tinyTrainSpec } from './tiny-train-spec';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Parameter values only: a forward pass in training mode also moves the target's batch-norm statistics. */
const parameters = (m: Module) => m.parameters().map((v) => Array.from(v.dataSync()));

describe('momentum pairs in the training loop', () => {
  it('BYOL’s target after every step is τ·ξ + (1 − τ)·θ, τ on its cosine schedule, and τ is logged', async () => {
    const checked: number[] = [];
    let previous: number[][] = [];
    const watcher: TrainingCallback = {
      onStart: ({ instance }) => {
        const byol = instance as ByolInstance;
        previous = parameters(byol.target);
        // The target starts as a copy of the online network.
        expect(previous).toEqual(parameters(byol.online));
        expect(byol.momentumPairs).toEqual([
          expect.objectContaining({ online: byol.online, target: byol.target }),
        ]);
      },
      onStepEnd: ({ instance, totalSteps }, { step }) => {
        const byol = instance as ByolInstance;
        const target = parameters(byol.target);
        // Step `step` ran with the context of step index step − 1 (Grill et al. 2020, Sec. 3.2).
        const tau = cosineRamp(step - 1, totalSteps, 0.9, 1);
        expectMomentumStep(previous, parameters(byol.online), target, tau);
        previous = target;
        checked.push(step);
      },
    };
    const decay: number[] = [];
    const outcome = await train(
      tinyTrainSpec('byol', { targetDecay: 0.9, linearProbe: false }),
      {
        started: () => {},
        metric: (_step, _epoch, key, value) => void (key === 'target_decay' && decay.push(value)),
        progress: () => {},
        log: () => {},
      },
      () => false,
      [watcher],
    );
    expect(outcome).toBe('completed');
    expect(checked).toEqual([1, 2, 3, 4]);
    expect(decay).toEqual([0, 1, 2, 3].map((k) => expect.closeTo(cosineRamp(k, 4, 0.9, 1), 6)));
  });
});
