import { describe, expect, it } from 'vitest';
import { cosineRamp, warmupCosine } from '../../../src-main/engine/nn/schedule';

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
});
