import type { Run } from '../../../src-main/domain';

/**
 * How long a run will take, estimated before it starts from the runs this machine has finished.
 *
 * A run's time is its training (images seen / images per second) plus its evaluations, the probe and
 * the start of its worker. Measuring a step in the form would cost a worker start and a dataset load and
 * still miss the evaluations; a finished run alike in what sets the pace (method, backbone, width,
 * batch size, image size) measured all of it. So the estimate is the images the new run will train on
 * at the wall-clock pace of its alike runs: their images trained over their whole time, start to end.
 * Only local runs that completed in one go count (a Slurm node is another machine; a resumed run's
 * time has a gap in it).
 */

/** What sets a run's pace, as the form has it. */
export interface PlannedRun {
  method: string;
  backbone: unknown;
  width: unknown;
  batchSize: number;
  epochs: number;
  /** The side the run trains at, or null where it is not known. */
  imageSize: number | null;
  /** Images in its training split (after the subset), or null while not known. */
  trainImages: number | null;
}

export interface DurationEstimate {
  seconds: number;
  /** How many past runs the pace is from. */
  runs: number;
  /** Their wall-clock pace: images trained per second of the whole run. */
  imagesPerSecond: number;
}

/** The alike runs taken: the most recent, so a faster backend or machine update counts soon. */
const MAX_RUNS = 5;

/** Images a run trains on: whole batches of its training split (a batch larger than the split is the split). */
export function imagesTrained(trainImages: number, batchSize: number, epochs: number): number {
  const batch = Math.min(batchSize, trainImages);
  return epochs * Math.floor(trainImages / batch) * batch;
}

/** Seconds a finished run took from its start to its end, where it ran locally in one go. */
function wallSeconds(run: Run): number | null {
  if (run.status !== 'completed' || run.executor !== 'local' || run.resumes.length > 0) return null;
  if (!run.startedAt || !run.endedAt) return null;
  const seconds = (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000;
  return seconds > 0 ? seconds : null;
}

/**
 * The estimate for `planned` from `past` runs, or null without an alike run (or without the training
 * split's size). `sideOf` gives the side a past run trained at (its image size, else its dataset's own).
 */
export function estimateDuration(
  planned: PlannedRun,
  past: readonly Run[],
  sideOf: (run: Run) => number | null,
): DurationEstimate | null {
  if (planned.trainImages === null || planned.imageSize === null) return null;
  const alike = past
    .filter(
      (r) =>
        r.method === planned.method &&
        r.config.backbone === planned.backbone &&
        r.config.width === planned.width &&
        r.config.batchSize === planned.batchSize &&
        sideOf(r) === planned.imageSize,
    )
    .map((r) => {
      const seconds = wallSeconds(r);
      const steps = r.summarySteps.loss;
      if (seconds === null || !steps) return null;
      const batch = Math.min(planned.batchSize, r.dataset.trainSize ?? Infinity);
      return { seconds, images: steps * batch, createdAt: r.createdAt };
    })
    .filter((r): r is NonNullable<typeof r> => r !== null)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_RUNS);
  if (alike.length === 0) return null;
  const images = alike.reduce((sum, r) => sum + r.images, 0);
  const seconds = alike.reduce((sum, r) => sum + r.seconds, 0);
  const imagesPerSecond = images / seconds;
  return {
    seconds: imagesTrained(planned.trainImages, planned.batchSize, planned.epochs) / imagesPerSecond,
    runs: alike.length,
    imagesPerSecond,
  };
}

/** A duration as a rough amount and unit: "about 40 s", "about 12 min", "about 2.5 h". */
export function roughDuration(seconds: number): { amount: number; unit: 's' | 'min' | 'h' } {
  if (seconds < 57.5) return { amount: Math.max(5, Math.round(seconds / 5) * 5), unit: 's' };
  if (seconds < 3570) return { amount: Math.round(seconds / 60), unit: 'min' };
  return { amount: Math.round(seconds / 360) / 10, unit: 'h' };
}
