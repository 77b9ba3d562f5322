import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src-main/domain';
import {
  estimateDuration,
  imagesTrained,
  roughDuration,
  type PlannedRun,
} from '../../../src-renderer/src/lib/duration-estimate';

/** A completed local SimCLR run of `steps` steps at batch 64 that took `seconds`, created on `day`. */
function finished(id: number, steps: number, seconds: number, patch: Partial<Run> = {}, day = id): Run {
  const start = Date.parse(`2026-01-${String(day).padStart(2, '0')}T10:00:00Z`);
  return {
    id,
    name: `run ${id}`,
    method: 'simclr',
    status: 'completed',
    dataset: { id: 'synthetic', trainSize: 512 },
    backendPreference: 'auto',
    executor: 'local',
    slurm: null,
    backend: 'wasm',
    device: null,
    config: { backbone: 'convnet', width: 8, batchSize: 64, epochs: 2 },
    tags: [],
    notes: '',
    error: null,
    createdAt: new Date(start).toISOString(),
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + seconds * 1000).toISOString(),
    summary: { loss: 4 },
    summarySteps: { loss: steps },
    resumes: [],
    ...patch,
  };
}

const planned: PlannedRun = {
  method: 'simclr',
  backbone: 'convnet',
  width: 8,
  batchSize: 64,
  epochs: 10,
  imageSize: 32,
  trainImages: 5000,
};
const side = () => 32;

describe('the duration estimate of a run not yet started', () => {
  it('is the images the run will train on at the wall-clock pace of its alike runs', () => {
    // 16 steps of 64 images in 8 s and 32 steps in 24 s: 3,072 images in 32 s, 96 images a second.
    const past = [finished(1, 16, 8), finished(2, 32, 24)];
    const estimate = estimateDuration(planned, past, side)!;
    expect(estimate.runs).toBe(2);
    expect(estimate.imagesPerSecond).toBeCloseTo(3072 / 32, 12);
    // 5,000 images are 78 whole batches of 64 an epoch: 49,920 images in 10 epochs.
    expect(imagesTrained(5000, 64, 10)).toBe(49_920);
    expect(estimate.seconds).toBeCloseTo(49_920 / 96, 9);
  });

  it('counts only completed local runs in one go, alike in method, backbone, width, batch and image size', () => {
    const alike = finished(1, 16, 8);
    const past = [
      alike,
      finished(2, 16, 1, { method: 'byol' }),
      finished(3, 16, 1, { config: { ...alike.config, width: 16 } }),
      finished(4, 16, 1, { config: { ...alike.config, batchSize: 128 } }),
      finished(5, 16, 1, { config: { ...alike.config, backbone: 'resnet18' } }),
      finished(6, 16, 1, { status: 'stopped' }),
      finished(7, 16, 1, { executor: 'slurm' }),
      finished(8, 16, 1, {
        resumes: [
          {
            at: '2026-01-08T10:00:00Z',
            fromStep: 8,
            fromEpoch: 1,
            checkpointId: 2,
            epochsBefore: 2,
            epochs: 2,
          },
        ],
      }),
    ];
    const estimate = estimateDuration(planned, past, side)!;
    expect(estimate.runs).toBe(1);
    expect(estimate.imagesPerSecond).toBe((16 * 64) / 8);
    const otherSize = estimateDuration(planned, [alike], (r) => (r.id === 1 ? 64 : 32));
    expect(otherSize).toBeNull();
  });

  it('takes the five most recent alike runs', () => {
    // Six runs: the oldest one was ten times slower and is left out.
    const past = [finished(1, 16, 80), ...[2, 3, 4, 5, 6].map((id) => finished(id, 16, 8))];
    expect(estimateDuration(planned, past, side)).toMatchObject({ runs: 5, imagesPerSecond: 128 });
  });

  it('a batch larger than a past run’s subset trained on the subset each step', () => {
    const small = finished(1, 10, 10, { dataset: { id: 'synthetic', trainSize: 40 } });
    expect(estimateDuration(planned, [small], side)!.imagesPerSecond).toBe(40);
  });

  it('is unknown without an alike run or without the training split’s size', () => {
    expect(estimateDuration(planned, [], side)).toBeNull();
    expect(estimateDuration({ ...planned, trainImages: null }, [finished(1, 16, 8)], side)).toBeNull();
  });

  it('is said roughly: seconds by fives, whole minutes, hours to a tenth', () => {
    expect(roughDuration(3)).toEqual({ amount: 5, unit: 's' });
    expect(roughDuration(42)).toEqual({ amount: 40, unit: 's' });
    expect(roughDuration(58)).toEqual({ amount: 1, unit: 'min' });
    expect(roughDuration(12 * 60 + 20)).toEqual({ amount: 12, unit: 'min' });
    expect(roughDuration(2.5 * 3600 + 100)).toEqual({ amount: 2.5, unit: 'h' });
  });
});
