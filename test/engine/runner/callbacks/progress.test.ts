import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../../src-main/domain';
import { initBackend } from '../../../../src-main/engine/backend';
import {
  estimateSecondsLeft,
  secondsPerEvaluation,
  type MeasuredPace,
} from '../../../../src-main/engine/runner/callbacks/progress';
import type { TrainingCallback } from '../../../../src-main/engine/runner/callbacks/training-callback';
import { train } from '../../../../src-main/engine/runner/train';
import { tinyTrainSpec } from '../tiny-train-spec';

const pace: MeasuredPace = { trainingSeconds: 10, steps: 20, evaluationSeconds: 6, evaluations: 3 };
const size = { images: 600, imagesPerStep: 100 };

describe('the time left of a run', () => {
  it('adds the steps left at the training pace, the evaluations left and the probe at the evaluation pace', () => {
    // 0.5 s a step, 2 s an evaluation.
    expect(
      estimateSecondsLeft(pace, { steps: 8, evaluations: 2, probe: true, spentOnCurrent: 0 }, size),
    ).toBe(8 * 0.5 + (2 + 1) * 2);
    expect(
      estimateSecondsLeft(pace, { steps: 8, evaluations: 2, probe: false, spentOnCurrent: 0 }, size),
    ).toBe(8 * 0.5 + 2 * 2);
  });

  it('takes off what the evaluation under way has taken, never more than an evaluation', () => {
    const left = { steps: 0, evaluations: 1, probe: true, spentOnCurrent: 1.5 };
    expect(estimateSecondsLeft(pace, left, size)).toBe(2 * 2 - 1.5);
    expect(estimateSecondsLeft(pace, { ...left, spentOnCurrent: 60 }, size)).toBe(2);
    expect(estimateSecondsLeft(pace, { ...left, evaluations: 0, spentOnCurrent: 60 }, size)).toBe(0);
  });

  it('before any evaluation is measured, estimates one from the training pace per image', () => {
    const resumed = { ...pace, evaluationSeconds: 0, evaluations: 0 };
    // 0.5 s a step of 100 images: 5 ms an image trained, a third of that embedded, 600 images.
    expect(secondsPerEvaluation(resumed, size)).toBeCloseTo((0.005 / 3) * 600, 12);
  });

  it('is unknown before the first step when steps are left', () => {
    const none = { trainingSeconds: 0, steps: 0, evaluationSeconds: 1, evaluations: 1 };
    expect(
      estimateSecondsLeft(none, { steps: 4, evaluations: 2, probe: true, spentOnCurrent: 0 }, size),
    ).toBe(null);
    expect(
      estimateSecondsLeft(none, { steps: 0, evaluations: 0, probe: true, spentOnCurrent: 0 }, size),
    ).toBe(1);
  });
});

describe('the progress reports of a run', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('wasm');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-progress-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('name each phase in order, and the time left counts the evaluations and the probe', async () => {
    const reports: RunProgress[] = [];
    // Every evaluation takes at least 0.4 s more: the time left must count three more of them (the ends
    // of both epochs and the probe) from the first step on, however fast the steps are.
    const slowEvaluation: TrainingCallback = {
      onEpochEnd: () => {
        const until = performance.now() + 400;
        while (performance.now() < until);
      },
    };
    const outcome = await train(
      tinyTrainSpec('simclr', { projectionHiddenDim: 32, linearProbe: true }, { checkpointDir: dir }),
      { started: () => {}, metric: () => {}, progress: (p) => reports.push(p), log: () => {} },
      () => false,
      [slowEvaluation],
    );
    expect(outcome).toBe('completed');
    // Consecutive reports of one phase as one.
    const phases = reports.map((r) => `${r.phase}@${r.step}`).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual([
      'initial-evaluation@0',
      'checkpoint@0',
      'training@1',
      'training@2',
      'evaluating@2',
      'checkpoint@2',
      'training@3',
      'training@4',
      'evaluating@4',
      'checkpoint@4',
      'probing@4',
    ]);
    const first = reports.find((r) => r.step === 1 && r.phase === 'training')!;
    expect(first.etaSeconds).toBeGreaterThanOrEqual(3 * 0.4);
    const probing = reports.at(-1)!;
    expect(probing.etaSeconds).toBeGreaterThanOrEqual(0.4);
    expect(probing.etaSeconds).toBeLessThan(first.etaSeconds!);
  });
});
