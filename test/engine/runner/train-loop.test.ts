import { describe, expect, it } from 'vitest';

import { train, type TrainReporter, type TrainSpec } from '../../../src-main/engine/runner/train';
import { tinyTrainSpec } from './tiny-train-spec';

interface Point {
  step: number;
  epoch: number;
  key: string;
  value: number;
}

async function run(spec: Partial<TrainSpec>, extra: Partial<TrainReporter> = {}) {
  const points: Point[] = [];
  const logs: string[] = [];
  const reporter: TrainReporter = {
    started: () => {},
    metric: (step, epoch, key, value) => points.push({ step, epoch, key, value }),
    progress: () => {},
    log: (_level, message) => logs.push(message),
    ...extra,
  };
  const outcome = await train(
    {
      ...tinyTrainSpec('simclr', { projectionHiddenDim: 32, linearProbe: false }, { inputThread: undefined }),
      ...spec,
    },
    reporter,
    () => false,
  );
  expect(outcome).toBe('completed');
  return { points, logs };
}

describe('the training loop', () => {
  it('trains the same run whether its batches come from an input thread or the training thread', async () => {
    const threaded = await run({ inputThread: true });
    const inline = await run({ inputThread: false });
    expect(threaded.logs).toContain('batches are drawn in an input thread');
    expect(inline.logs).toContain('batches are drawn in the training thread');
    const losses = (r: { points: Point[] }) => r.points.filter((p) => p.key === 'loss').map((p) => p.value);
    expect(losses(threaded)).toHaveLength(4);
    const [a, b] = [losses(threaded), losses(inline)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * Math.abs(b[i]!));
  });

  it("leaves the evaluation between epochs out of the next epoch's images/s", async () => {
    // A slow evaluation: the histogram report of every evaluation waits 1.5 s.
    const slow = () => {
      const until = performance.now() + 1500;
      while (performance.now() < until);
    };
    const { points } = await run({ inputThread: false }, { histogram: slow });
    const rates = points.filter((p) => p.key === 'images_per_s');
    const first = rates.filter((p) => p.epoch <= 1);
    const second = rates.filter((p) => p.epoch > 1);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    // 2 steps of 256 views take well under a second here; counting the 1.5 s evaluation in would cut
    // the second epoch's rate to a fraction of the first's.
    expect(Math.min(...second.map((p) => p.value))).toBeGreaterThan(
      0.5 * Math.min(...first.map((p) => p.value)),
    );
  });
});

describe('evaluation on part of the training split', () => {
  it('fits kNN and the embeddings on the first evalTrainSize images while training sees them all', async () => {
    const embeddings: { split: string; indices: number[] }[] = [];
    const spec = tinyTrainSpec('simclr', { projectionHiddenDim: 32, linearProbe: false, evalTrainSize: 40 });
    const { points, logs } = await run(
      { config: spec.config },
      { embedding: (e) => embeddings.push({ split: e.split, indices: e.indices }) },
    );
    const train = embeddings.filter((e) => e.split === 'train');
    expect(train.length).toBeGreaterThan(0);
    for (const e of train) expect(Math.max(...e.indices)).toBe(39);
    // All 128 images are trained on: two steps of 64 each epoch.
    expect(points.filter((p) => p.key === 'loss')).toHaveLength(4);
    expect(points.some((p) => p.key === 'knn_top1')).toBe(true);
    expect(logs.some((l) => l.includes('128 train'))).toBe(true);
  });
});
