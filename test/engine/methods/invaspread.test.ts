import { describe, expect, it } from 'vitest';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import { expectHealthyRun, trainTiny } from './method-harness';

describe('invaspread', () => {
  it('trains one epoch without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('invaspread'));
  });

  it('also trains with the released code’s fully augmented originals', async () => {
    expectHealthyRun(await trainTiny('invaspread', { originalView: 'augmented' }));
  });

  it('plans a lightly augmented original (whole image, flip only) and an augmented copy', () => {
    const m = getMethod('invaspread');
    const c = resolveConfig(m, {});
    expect(c).toMatchObject({ temperature: 0.1, embeddingDim: 128, lr: 0.03, weightDecay: 5e-4 });
    const plan = m.viewPlan(c, 32);
    expect(plan.global).toHaveLength(2);
    expect(plan.global[0]).toMatchObject({
      cropScale: [1, 1],
      jitterProb: 0,
      grayscaleProb: 0,
      flipProb: 0.5,
    });
    expect(plan.global[1]).toMatchObject({ cropScale: [0.2, 1], jitterProb: 1 });
  });
});
