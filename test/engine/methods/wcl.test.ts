import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { wclWeakLabels } from '../../../src-main/engine/losses/wcl';
import { expectHealthyRun, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Unit vectors at the given angles (degrees). */
const atAngles = (deg: number[]) =>
  tf.tensor2d(deg.map((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));

describe('wcl', () => {
  it('trains one epoch without NaN/Inf and logs its two losses and the number of weak groups', async () => {
    const points = await trainTiny('wcl');
    expectHealthyRun(points);
    for (const key of ['instance_loss', 'swap_loss', 'weak_groups']) {
      expect(points.filter((p) => p.key === key)).toHaveLength(4);
    }
    // The 1-NN graph of 64 points has between 1 and 32 components (each has at least two members).
    for (const p of points.filter((q) => q.key === 'weak_groups')) {
      expect(p.value).toBeGreaterThanOrEqual(1);
      expect(p.value).toBeLessThanOrEqual(32);
    }
  });

  it('trains with the kNN-selected local crops after the warm-up', async () => {
    const points = await trainTiny('wcl', { localCrops: 3, localCropsKept: 1, multiCropWarmupEpochs: 0 });
    expectHealthyRun(points);
    expect(points.filter((p) => p.key === 'local_loss')).toHaveLength(4);
  });

  it('weak labels are the connected components of a hand-made 1-NN graph, named by their smallest index', () => {
    // Points on the circle. 1-NN edges: 0↔4 (10°), 2→4 (15° from 4, 25° from 0), 1↔5 (180°, 200°), 3↔6 (90°, 95°).
    // Components {0, 2, 4}, {1, 5}, {3, 6}.
    const v = atAngles([0, 180, 25, 90, 10, 200, 95]);
    expect(Array.from(wclWeakLabels(v))).toEqual([0, 1, 0, 3, 0, 1, 3]);
    // A chain 0→1→2→3 (each point's nearest is the next one, the last points back) is one component.
    const chain = atAngles([0, 30, 50, 60]);
    expect(Array.from(wclWeakLabels(chain))).toEqual([0, 0, 0, 0]);
    tf.dispose([v, chain]);
  });
});
