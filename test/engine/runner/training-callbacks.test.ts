import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../src-main/domain';
import { initBackend } from '../../../src-main/engine/backend';
import type { TrainingCallback } from '../../../src-main/engine/runner/callbacks/training-callback';
import { train, type TrainReporter, type TrainSpec } from '../../../src-main/engine/runner/train';
import { tinyTrainSpec } from './tiny-train-spec';

// 128 images at batch 64: two steps an epoch, four in two epochs.
const spec: TrainSpec = tinyTrainSpec('simclr', { projectionHiddenDim: 32, linearProbe: false });

beforeAll(async () => {
  await initBackend('wasm');
});

const quietReporter = (extra: Partial<TrainReporter> = {}): TrainReporter => ({
  started: () => {},
  metric: () => {},
  progress: () => {},
  log: () => {},
  ...extra,
});

/** A callback that writes every hook it sees into `seen`, prefixed with its name. */
function recorder(name: string, seen: string[]): TrainingCallback {
  return {
    onStart: () => void seen.push(`${name} start`),
    onEpochStart: (_run, { epoch }) => void seen.push(`${name} epoch ${epoch} start`),
    onStepEnd: (_run, { step, epoch }) => void seen.push(`${name} step ${step} (epoch ${epoch})`),
    onEpochEnd: (_run, { step, epoch }) => void seen.push(`${name} epoch ${epoch} end at step ${step}`),
    onEnd: (_run, { outcome, step, epoch }) =>
      void seen.push(`${name} ${outcome} at step ${step} (epoch ${epoch})`),
    onTeardown: () => void seen.push(`${name} teardown`),
  };
}

describe('the training loop’s callbacks', () => {
  it('are called hook by hook in list order: start, the initialisation, every step and epoch, end, teardown', async () => {
    const seen: string[] = [];
    const outcome = await train(spec, quietReporter(), () => false, [
      recorder('a', seen),
      recorder('b', seen),
    ]);
    expect(outcome).toBe('completed');
    const hooks = [
      'start',
      'epoch 0 end at step 0',
      'epoch 0 start',
      'step 1 (epoch 0.5)',
      'step 2 (epoch 1)',
      'epoch 1 end at step 2',
      'epoch 1 start',
      'step 3 (epoch 1.5)',
      'step 4 (epoch 2)',
      'epoch 2 end at step 4',
      'completed at step 4 (epoch 2)',
      'teardown',
    ];
    expect(seen).toEqual(hooks.flatMap((h) => [`a ${h}`, `b ${h}`]));
  });

  it('a stopped run ends its epoch without an evaluation; an error skips onEnd but not onTeardown', async () => {
    const seen: string[] = [];
    let steps = 0;
    let tensors = tf.memory().numTensors;
    const stopped = await train(spec, quietReporter(), () => ++steps > 3, [recorder('a', seen)]);
    const leftByStopped = tf.memory().numTensors - tensors;
    expect(stopped).toBe('stopped');
    expect(seen.slice(-4)).toEqual([
      'a epoch 1 start',
      'a step 3 (epoch 1.5)',
      'a stopped at step 3 (epoch 1.5)',
      'a teardown',
    ]);
    expect(seen.filter((h) => h.includes('end at'))).toEqual([
      'a epoch 0 end at step 0',
      'a epoch 1 end at step 2',
    ]);

    const failed: string[] = [];
    tensors = tf.memory().numTensors;
    // After the last evaluation, whose features the linear probe has kept for the end of the run.
    const failing: TrainingCallback = {
      onEpochEnd: ({ config }, { epoch }) => {
        if (epoch === config.epochs) throw new Error(`failed after epoch ${epoch}`);
      },
    };
    const withProbe = { ...spec, config: { ...spec.config, linearProbe: true } };
    await expect(
      train(withProbe, quietReporter(), () => false, [recorder('a', failed), failing]),
    ).rejects.toThrow('failed after epoch 2');
    expect(failed.slice(-2)).toEqual(['a epoch 2 end at step 4', 'a teardown']);
    // A failed run releases what a stopped one does (all but the optimiser slots' seeds, nn/optimizers.ts).
    expect(tf.memory().numTensors - tensors).toBe(leftByStopped);
  });

  it('see the run, what earlier callbacks logged at a step, and each evaluation’s features', async () => {
    const points: { step: number; key: string; value: number }[] = [];
    const progress: RunProgress[] = [];
    const steps: { metrics: Map<string, number>; loss: number; images: number }[] = [];
    const shapes: number[][] = [];
    const probe: TrainingCallback = {
      onStart: (run) => {
        expect(run).toMatchObject({ runId: 1, method: 'simclr', stepsPerEpoch: 2, totalSteps: 4 });
        expect(run.config.epochs).toBe(2);
      },
      onStepEnd: (_run, end) =>
        void steps.push({ metrics: new Map(end.metrics), loss: end.loss, images: end.images }),
      onEpochEnd: (_run, { features }) => {
        shapes.push(features.of('train')!.shape, features.of('test')!.shape);
      },
    };
    const reporter = quietReporter({
      metric: (step, _epoch, key, value) => points.push({ step, key, value }),
      progress: (p) => progress.push(p),
    });
    await train(spec, reporter, () => false, [probe]);
    // The built-in callbacks logged loss, lr and (at least at the end of each epoch) images_per_s before it.
    expect(steps).toHaveLength(4);
    for (const [i, s] of steps.entries()) {
      expect(s.metrics.get('loss')).toBe(s.loss);
      expect(s.metrics.get('lr')).toBe(points.find((p) => p.step === i + 1 && p.key === 'lr')!.value);
      expect(s.images).toBe(64);
    }
    expect(steps[1]!.metrics.has('images_per_s')).toBe(true);
    expect(steps[3]!.metrics.has('images_per_s')).toBe(true);
    // And at the same moments, what the machine spends on the run: CPU as a share of every core, the wall
    // time per step, the worker's memory, live tensors and, on this wasm backend, its heap.
    for (const s of [steps[1]!, steps[3]!]) {
      const m = s.metrics;
      expect(m.get('cpu_percent')).toBeGreaterThan(0);
      expect(m.get('cpu_percent')).toBeLessThanOrEqual(101);
      expect(m.get('step_ms')).toBeGreaterThan(0);
      expect(m.get('worker_rss_mb')).toBeGreaterThan(20);
      expect(m.get('tensor_mb')).toBeGreaterThan(0);
      // The heap holds the live tensors and more.
      expect(m.get('wasm_heap_mb')).toBeGreaterThanOrEqual(m.get('tensor_mb')!);
    }
    // Only at the throughput's moments: not at step 1, in the middle of the first epoch's two seconds.
    expect(steps[0]!.metrics.has('cpu_percent')).toBe(steps[0]!.metrics.has('images_per_s'));
    // The progress event of each step carries its throughput where one was measured, and null otherwise
    // (the other progress events name the evaluations).
    const stepReports = progress.filter((p) => p.phase === 'training');
    expect(stepReports.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    stepReports.forEach((p, i) =>
      expect(p.imagesPerSecond).toBe(steps[i]!.metrics.get('images_per_s') ?? null),
    );
    // Both splits' features at each of the three evaluations (step 0 and two epochs).
    expect(shapes).toHaveLength(6);
    expect(shapes.filter((_, i) => i % 2 === 0).map(([n]) => n)).toEqual([128, 128, 128]);
    expect(shapes.filter((_, i) => i % 2 === 1).map(([n]) => n)).toEqual([64, 64, 64]);
  });
});
