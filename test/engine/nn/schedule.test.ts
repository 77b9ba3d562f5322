import { describe, expect, it } from 'vitest';
import {
  cosineRamp,
  learningRateAt,
  mocoStepSchedule,
  warmupCosine,
  warmupStep,
} from '../../../src-main/engine/nn/schedule';

describe('learning-rate schedule', () => {
  it('warms up linearly, peaks, then follows a half cosine to zero', () => {
    const peak = 0.4;
    expect(warmupCosine(0, 100, 10, peak)).toBeCloseTo(0.04);
    expect(warmupCosine(4, 100, 10, peak)).toBeCloseTo(0.2);
    expect(warmupCosine(10, 100, 10, peak)).toBeCloseTo(peak);
    expect(warmupCosine(55, 100, 10, peak)).toBeCloseTo(peak / 2);
    expect(warmupCosine(100, 100, 10, peak)).toBeCloseTo(0);
  });

  it('without warm-up starts at the peak', () => {
    expect(warmupCosine(0, 50, 0, 1)).toBe(1);
  });

  it('ramps a momentum from start to end on a cosine (BYOL τ)', () => {
    expect(cosineRamp(0, 100, 0.996, 1)).toBeCloseTo(0.996);
    expect(cosineRamp(50, 100, 0.996, 1)).toBeCloseTo(0.998);
    expect(cosineRamp(100, 100, 0.996, 1)).toBeCloseTo(1);
  });

  it('MoCo v1’s step schedule: × 0.1 at 60% and 80% of the run (epochs 120 and 160 of 200)', () => {
    // 200 epochs of 10 steps: epoch 120 starts at step 1200.
    const at = (step: number) => learningRateAt(mocoStepSchedule, step, 2000, 0, 0.03);
    expect(at(0)).toBe(0.03);
    expect(at(1199)).toBe(0.03);
    expect(at(1200)).toBeCloseTo(0.003, 12);
    expect(at(1599)).toBeCloseTo(0.003, 12);
    expect(at(1600)).toBeCloseTo(0.0003, 12);
    expect(at(1999)).toBeCloseTo(0.0003, 12);
    // With a warm-up, the same linear ramp as the cosine's first.
    expect(warmupStep(4, 100, 10, 0.4, [0.6, 0.8], 0.1)).toBeCloseTo(warmupCosine(4, 100, 10, 0.4), 12);
    expect(learningRateAt({ kind: 'cosine' }, 55, 100, 10, 0.4)).toBe(warmupCosine(55, 100, 10, 0.4));
  });
});
