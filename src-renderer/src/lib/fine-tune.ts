/**
 * Fine-tuning on a share of the labels as the renderer shows it (the engine runs it as a job, the API's
 * startFineTune): the shares the papers report, the epochs a share gets by default, the label-efficiency
 * curve of a run read from its fine-tune points (domain/metrics.ts fineTuneMetricKey), and the run's
 * fine-tune result with its share for the runs table.
 */
import { fineTuneShareOfKey, fineTuneMetrics, type MetricPoint, type Run } from '../../../src-main/domain';
import { runResult } from './summary';

/** The shares of the labels SimCLR (Chen et al. 2020, Sec. 7.1) and SimCLR v2 report: 1%, 10% and 100%. */
export const paperShares = [1, 10, 100] as const;

/** The share of the labels a top-1 key of one share stands for (`finetune_top1_10pct` → 10), else null. */
export function shareOfTop1Key(key: string): number | null {
  const of = fineTuneShareOfKey(key);
  return of?.k === 1 ? of.labelPercent : null;
}

/** `finetune_top1` and `finetune_top5`: every fine-tune's result whatever its share (the per-share keys say it). */
export function isAnyShareFineTuneKey(key: string): boolean {
  return Object.hasOwn(fineTuneMetrics, key);
}

/** "10%", "0.5%": a share of the labels as the app writes it. */
export const formatShare = (share: number): string => `${Number(share.toPrecision(6))}%`;

/** One fine-tune's top-1 at a share of the labels, from the checkpoint at `step`. */
export interface SharePoint {
  share: number;
  top1: number;
  step: number;
  epoch: number;
}

/** What a run's fine-tunes say about label efficiency: top-1 against the share of the labels. */
export interface LabelEfficiency {
  /**
   * The pre-trained network: the latest checkpoint after step 0 that has fine-tune points, with one
   * point per share it was fine-tuned on (ascending); null when no such checkpoint was fine-tuned.
   */
  pretrained: { step: number; epoch: number; points: SharePoint[] } | null;
  /** The step-0 checkpoint (the random initialisation): fine-tuning it is training from scratch. */
  scratch: SharePoint[];
}

/**
 * The label-efficiency curves of one run from its fine-tune points (any keys; those of one share's top-1
 * count). Where a checkpoint was fine-tuned twice on the same share, the later result counts.
 */
export function labelEfficiency(points: readonly MetricPoint[]): LabelEfficiency {
  // By step, then share: the latest write.
  const byStep = new Map<number, Map<number, { point: SharePoint; wall: number }>>();
  for (const p of points) {
    const share = shareOfTop1Key(p.key);
    if (share === null || !Number.isFinite(p.value)) continue;
    let atStep = byStep.get(p.step);
    if (!atStep) byStep.set(p.step, (atStep = new Map()));
    const known = atStep.get(share);
    if (!known || p.wallTime >= known.wall) {
      atStep.set(share, { point: { share, top1: p.value, step: p.step, epoch: p.epoch }, wall: p.wallTime });
    }
  }
  const pointsAt = (step: number): SharePoint[] =>
    [...(byStep.get(step)?.values() ?? [])].map((x) => x.point).sort((a, b) => a.share - b.share);
  const latest = Math.max(-1, ...[...byStep.keys()].filter((s) => s > 0));
  const pretrained = latest > 0 ? pointsAt(latest) : [];
  return {
    pretrained: pretrained.length ? { step: latest, epoch: pretrained[0]!.epoch, points: pretrained } : null,
    scratch: pointsAt(0),
  };
}

/** The mean top-1 per share over several runs' curves (a seed group), with how many runs had it. */
export function meanByShare(curves: readonly SharePoint[][]): { share: number; top1: number; n: number }[] {
  const byShare = new Map<number, number[]>();
  for (const curve of curves) {
    for (const p of curve) {
      let values = byShare.get(p.share);
      if (!values) byShare.set(p.share, (values = []));
      values.push(p.top1);
    }
  }
  return [...byShare.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([share, values]) => ({
      share,
      top1: values.reduce((s, v) => s + v, 0) / values.length,
      n: values.length,
    }));
}

/**
 * The run's fine-tune result as the runs table shows it: finetune_top1 of its pre-trained checkpoint
 * (runResult: never a step-0 fine-tune), with the share of the labels it was fine-tuned on (the key of
 * one share holding the same value at the same step); null when the run has none.
 */
export function runFineTune(
  run: Pick<Run, 'summary' | 'summarySteps'>,
): { top1: number; share: number | null } | null {
  const top1 = runResult(run, 'finetune_top1');
  if (top1 === undefined) return null;
  const step = run.summarySteps.finetune_top1;
  const shares = Object.keys(run.summary).flatMap((key) => {
    const share = shareOfTop1Key(key);
    return share !== null && run.summary[key] === top1 && run.summarySteps[key] === step ? [share] : [];
  });
  return { top1, share: shares.length === 1 ? shares[0]! : null };
}
