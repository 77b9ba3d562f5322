import { describe, expect, it } from 'vitest';
import { fineTuneMetricKey, type MetricPoint, type Run } from '../../../src-main/domain';
import {
  isAnyShareFineTuneKey,
  labelEfficiency,
  meanByShare,
  runFineTune,
  shareOfTop1Key,
} from '../../../src-renderer/src/lib/fine-tune';
import { summaryMeanStd } from '../../../src-renderer/src/lib/seeds';
import { runResult } from '../../../src-renderer/src/lib/summary';

/** A fine-tune's top-1 point at `share`% of the labels, from the checkpoint at `step` (8 steps an epoch). */
const top1 = (share: number, step: number, value: number, wallTime = 1_700_000_000 + step): MetricPoint => ({
  runId: 1,
  key: fineTuneMetricKey(share, 1),
  step,
  epoch: step / 8,
  value,
  wallTime,
});

type Summary = Pick<Run, 'summary' | 'summarySteps'>;

describe('fine-tune shares and epochs', () => {
  it('reads the share of a top-1 key of one share, and only of keys the domain writes', () => {
    for (const share of [1, 10, 100, 0.5, 12.5]) {
      expect(shareOfTop1Key(fineTuneMetricKey(share, 1))).toBe(share);
    }
    expect(shareOfTop1Key(fineTuneMetricKey(10, 5))).toBeNull();
    expect(shareOfTop1Key('finetune_top1')).toBeNull();
    expect(shareOfTop1Key('finetune_top1_010pct')).toBeNull();
    expect(shareOfTop1Key('finetune_top1_0pct')).toBeNull();
    expect(shareOfTop1Key('probe_top1')).toBeNull();
    expect(isAnyShareFineTuneKey('finetune_top1')).toBe(true);
    expect(isAnyShareFineTuneKey('finetune_top5')).toBe(true);
    expect(isAnyShareFineTuneKey(fineTuneMetricKey(10, 1))).toBe(false);
  });
});

describe('label efficiency of a run', () => {
  it('draws the latest fine-tuned checkpoint after step 0, and step 0 as from scratch', () => {
    const curves = labelEfficiency([
      // An earlier checkpoint (step 8), the latest (step 16), and the random initialisation.
      top1(10, 8, 0.4),
      top1(100, 16, 0.62),
      top1(10, 16, 0.51),
      top1(1, 16, 0.3),
      top1(10, 0, 0.22),
      top1(100, 0, 0.35),
      // Neither top-5 nor the any-share key is a point of the curve.
      { ...top1(10, 16, 0.9), key: fineTuneMetricKey(10, 5) },
      { ...top1(10, 16, 0.9), key: 'finetune_top1' },
    ]);
    expect(curves.pretrained).toEqual({
      step: 16,
      epoch: 2,
      points: [
        { share: 1, top1: 0.3, step: 16, epoch: 2 },
        { share: 10, top1: 0.51, step: 16, epoch: 2 },
        { share: 100, top1: 0.62, step: 16, epoch: 2 },
      ],
    });
    expect(curves.scratch.map((p) => [p.share, p.top1])).toEqual([
      [10, 0.22],
      [100, 0.35],
    ]);
  });

  it('takes the later of two fine-tunes of one checkpoint on one share, in whatever order they come', () => {
    const curves = labelEfficiency([
      top1(10, 16, 0.5, 2000),
      top1(10, 16, 0.45, 1000),
      top1(10, 0, 0.2, 3000),
    ]);
    expect(curves.pretrained?.points.map((p) => p.top1)).toEqual([0.5]);
    expect(curves.scratch.map((p) => p.top1)).toEqual([0.2]);
  });

  it('has no pre-trained curve when only step 0 was fine-tuned, and nothing without fine-tunes', () => {
    expect(labelEfficiency([top1(10, 0, 0.2)]).pretrained).toBeNull();
    expect(labelEfficiency([])).toEqual({ pretrained: null, scratch: [] });
  });

  it("averages a seed group's curves per share, counting the runs that have each share", () => {
    const a = labelEfficiency([top1(10, 16, 0.5), top1(100, 16, 0.7)]).pretrained!.points;
    const b = labelEfficiency([top1(10, 16, 0.3)]).pretrained!.points;
    expect(meanByShare([a, b])).toEqual([
      { share: 10, top1: 0.4, n: 2 },
      { share: 100, top1: 0.7, n: 1 },
    ]);
    expect(meanByShare([])).toEqual([]);
  });
});

describe("a run's result is never a probe or fine-tune of step 0", () => {
  const key10 = fineTuneMetricKey(10, 1);
  /** Fine-tuned from scratch only (step 0), with its own kNN at step 0 and probe at step 16. */
  const scratchOnly: Summary = {
    summary: { finetune_top1: 0.2, [key10]: 0.2, knn_top1: 0.15, probe_top1: 0.3 },
    summarySteps: { finetune_top1: 0, [key10]: 0, knn_top1: 0, probe_top1: 16 },
  };
  /** Fine-tuned from its last checkpoint on 10% and from scratch (the summary keeps step 16). */
  const pretrained: Summary = {
    summary: { finetune_top1: 0.5, [key10]: 0.5, finetune_top1_100pct: 0.6 },
    summarySteps: { finetune_top1: 16, [key10]: 16, finetune_top1_100pct: 8 },
  };

  it('leaves out a step-0 fine-tune or probe, and keeps every other value', () => {
    expect(runResult(scratchOnly, 'finetune_top1')).toBeUndefined();
    expect(runResult(scratchOnly, key10)).toBeUndefined();
    // A kNN of step 0 judged the random initialisation too (domain/run-result.ts).
    expect(runResult(scratchOnly, 'knn_top1')).toBeUndefined();
    expect(runResult(scratchOnly, 'probe_top1')).toBe(0.3);
    expect(
      runResult({ summary: { probe_top1: 0.1 }, summarySteps: { probe_top1: 0 } }, 'probe_top1'),
    ).toBeUndefined();
    expect(runResult(pretrained, 'finetune_top1')).toBe(0.5);
    expect(runResult(pretrained, 'loss')).toBeUndefined();
  });

  it('gives the runs table the pre-trained top-1 with its share', () => {
    expect(runFineTune(scratchOnly)).toBeNull();
    expect(runFineTune(pretrained)).toEqual({ top1: 0.5, share: 10 });
  });

  it('leaves step-0 fine-tunes out of the mean ± std of a seed group', () => {
    expect(summaryMeanStd([scratchOnly, pretrained], key10)).toEqual({ mean: 0.5, std: 0, n: 1 });
  });
});
