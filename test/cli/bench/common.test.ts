import { describe, expect, it } from 'vitest';
import { steadyRate } from '../../../src-main/cli/bench/e2e';
import { benchConfig, median, rateFromMetrics, tensorTrace } from '../../../src-main/cli/bench/common';
import { torchUnsupported } from '../../../src-main/cli/bench/torch';
import { selectMethods } from '../../../src-main/cli/bench/quality';
import { methods } from '../../../src-main/engine/methods';

describe('bench helpers', () => {
  it('aggregates images_per_s windows into one rate (total images over total time)', () => {
    // Steps 1–2 at 10 images/s (2 × 20 images = 4 s), step 3 at 40 images/s (20 images = 0.5 s).
    expect(
      rateFromMetrics(
        [
          { step: 2, value: 10 },
          { step: 3, value: 40 },
        ],
        20,
      ),
    ).toBeCloseTo(60 / 4.5, 9);
    expect(rateFromMetrics([], 20)).toBeNull();
  });

  it('flags a growing tensor count', () => {
    expect(tensorTrace([5, 5, 5])).toEqual({ perStep: [5, 5, 5], constant: true, growthPerStep: 0 });
    expect(tensorTrace([5, 7, 9])).toMatchObject({ constant: false, growthPerStep: 2 });
  });

  it('takes the median of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("builds the bench config from the method's defaults, the backbone's default width and --set", () => {
    const { config } = benchConfig({ method: 'simclr', backbone: 'convnet', batchSize: 64 });
    expect(config).toMatchObject({ backbone: 'convnet', width: 32, batchSize: 64, temperature: 0.5 });
    // The PyTorch yardstick's head: hidden width 2 × the 8w features.
    expect(config.projectionHiddenDim).toBe(512);
    const set = benchConfig({ method: 'simclr', backbone: 'resnet18', set: { projectionHiddenDim: 64 } });
    expect(set.config).toMatchObject({ width: 16, projectionHiddenDim: 64 });
    expect(benchConfig({ method: 'byol' }).config.backbone).toBe('convnet');
  });

  it('knows which configurations have a PyTorch reference', () => {
    expect(torchUnsupported('simclr', 'resnet18')).toBeNull();
    expect(torchUnsupported('simclr', 'convnet')).toBeNull();
    expect(torchUnsupported('simclr', 'vit_tiny')).toMatch(/vit_tiny/);
    expect(torchUnsupported('moco', 'resnet18')).toMatch(/moco/);
  });

  it('selects one, some or all methods', () => {
    expect(selectMethods(['all'])).toEqual(methods.map((m) => m.id));
    expect(selectMethods(undefined)).toHaveLength(methods.length);
    expect(selectMethods(['simclr, byol', 'simclr'])).toEqual(['simclr', 'byol']);
    expect(() => selectMethods(['nope'])).toThrow(/unknown method "nope"/);
  });
});

describe('steady end-to-end rate', () => {
  it("leaves out the first step and each epoch's first step (the evaluation before it)", () => {
    // Two epochs of three 100 ms steps, with a 5 s evaluation between them.
    const ends = [100, 200, 300, 5400, 5500, 5600];
    const epochStarts = [true, false, false, true, false, false];
    expect(steadyRate(ends, epochStarts, 50)).toBeCloseTo(500, 6);
    expect(steadyRate([100], [true], 50)).toBeNull();
  });
});
