import { describe, expect, it } from 'vitest';
import type { Checkpoint, RunResume } from '../../../src-main/domain';
import {
  latestCheckpoint,
  newResume,
  resumeKind,
  truncateSeries,
} from '../../../src-renderer/src/lib/resume';

const resume = (fromStep: number): RunResume => ({
  at: '2026-12-03T10:35:00.000Z',
  fromStep,
  fromEpoch: fromStep / 31,
  checkpointId: 7,
  epochsBefore: 2,
  epochs: 8,
});

const checkpoint = (id: number, step: number): Checkpoint => ({
  id,
  runId: 1,
  step,
  epoch: step / 31,
  bytes: 500_000,
  createdAt: '2026-12-03T10:30:00.000Z',
});

describe('resuming runs in the renderer', () => {
  it('offers Resume on stopped, interrupted and failed runs, Continue on completed ones, nothing while active', () => {
    expect(resumeKind({ status: 'stopped' })).toBe('resume');
    expect(resumeKind({ status: 'interrupted' })).toBe('resume');
    expect(resumeKind({ status: 'failed' })).toBe('resume');
    expect(resumeKind({ status: 'completed' })).toBe('continue');
    expect(resumeKind({ status: 'running' })).toBeNull();
    expect(resumeKind({ status: 'queued' })).toBeNull();
  });

  it('notices a resume only when a known run gained one', () => {
    expect(newResume(undefined, { resumes: [resume(57)] })).toBeNull();
    expect(newResume({ resumes: [] }, { resumes: [] })).toBeNull();
    expect(newResume({ resumes: [] }, { resumes: [resume(57)] })).toEqual(resume(57));
    expect(newResume({ resumes: [resume(57)] }, { resumes: [resume(57)] })).toBeNull();
    expect(newResume({ resumes: [resume(57)] }, { resumes: [resume(57), resume(248)] })).toEqual(resume(248));
  });

  it('cuts a series back to the step a run restarts from, as a new object', () => {
    const s = {
      step: [1, 2, 3, 4],
      epoch: [0.1, 0.2, 0.3, 0.4],
      wall: [10, 11, 12, 13],
      value: [4, 3, 2, 1],
    };
    const cut = truncateSeries(s, 2);
    expect(cut).toEqual({ step: [1, 2], epoch: [0.1, 0.2], wall: [10, 11], value: [4, 3] });
    expect(cut).not.toBe(s);
    expect(s.step).toHaveLength(4);
    expect(truncateSeries(s, 0).step).toEqual([]);
    expect(truncateSeries(s, 99)).toEqual(s);
  });

  it('takes the highest step as the latest checkpoint', () => {
    expect(latestCheckpoint([])).toBeUndefined();
    expect(latestCheckpoint([checkpoint(3, 62), checkpoint(1, 0), checkpoint(2, 31)])?.id).toBe(3);
  });
});
