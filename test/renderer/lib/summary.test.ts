import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../../src-main/domain';
import { applySummaryPoint, mergeSummaries, type RunSummary } from '../../../src-renderer/src/lib/summary';

const point = (key: string, step: number, value: number): MetricPoint => ({
  runId: 1,
  step,
  epoch: step / 8,
  key,
  value,
  wallTime: 1_700_000_000 + step,
});

/** A finished run as listRuns reports it: its own probe at the end (step 16), kNN after each epoch. */
const finished = (): RunSummary => ({
  summary: { probe_top1: 0.303, probe_top5: 0.8, knn_top1: 0.31 },
  summarySteps: { probe_top1: 16, probe_top5: 16, knn_top1: 16 },
});

describe('run summary from live points', () => {
  it("keeps the run's final probe when a probe of its step-0 checkpoint arrives", () => {
    const run = finished();
    expect(applySummaryPoint(run, point('probe_top1', 0, 0.235))).toBe(false);
    expect(applySummaryPoint(run, point('probe_top5', 0, 0.7))).toBe(false);
    expect(run.summary).toEqual({ probe_top1: 0.303, probe_top5: 0.8, knn_top1: 0.31 });
    expect(run.summarySteps).toEqual({ probe_top1: 16, probe_top5: 16, knn_top1: 16 });
  });

  it('takes points at a later or the same step (training, a re-probe of the last checkpoint)', () => {
    const run = finished();
    expect(applySummaryPoint(run, point('knn_top1', 24, 0.33))).toBe(true);
    expect(applySummaryPoint(run, point('probe_top1', 16, 0.31))).toBe(true);
    expect(applySummaryPoint(run, point('loss', 3, 4.2))).toBe(true);
    expect(run.summary).toEqual({ probe_top1: 0.31, probe_top5: 0.8, knn_top1: 0.33, loss: 4.2 });
    expect(run.summarySteps).toEqual({ probe_top1: 16, probe_top5: 16, knn_top1: 24, loss: 3 });
  });

  it('merges a snapshot per key by step, so neither a stale snapshot nor an early probe wins', () => {
    const shown = finished();
    applySummaryPoint(shown, point('knn_top1', 24, 0.33));
    // Read before that point was written, answered after it arrived.
    const stale: RunSummary = {
      summary: { probe_top1: 0.303, knn_top1: 0.31, loss: 3.9 },
      summarySteps: { probe_top1: 16, knn_top1: 16, loss: 16 },
    };
    expect(mergeSummaries(shown, stale)).toEqual({
      summary: { probe_top1: 0.303, probe_top5: 0.8, knn_top1: 0.33, loss: 3.9 },
      summarySteps: { probe_top1: 16, probe_top5: 16, knn_top1: 24, loss: 16 },
    });
    // The store's answer at the same step is the latest write there: it wins.
    const fresh: RunSummary = { summary: { probe_top1: 0.32 }, summarySteps: { probe_top1: 16 } };
    expect(mergeSummaries(shown, fresh).summary.probe_top1).toBe(0.32);
    // Neither argument is changed.
    expect(shown.summary.probe_top1).toBe(0.303);
    expect(fresh.summary).toEqual({ probe_top1: 0.32 });
  });
});
