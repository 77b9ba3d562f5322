import type { EpochStart, StepEnd, TrainingCallback, TrainingRun } from './training-callback';

/** Seconds a throughput measurement spans at least (the last one of an epoch may be shorter). */
const WINDOW_SECONDS = 2;

/**
 * Training throughput as `images_per_s`: augmented views through the step per second, measured over
 * windows of about two seconds and at the end of every epoch. It counts training only: the window
 * restarts with every epoch, so the evaluation that ended the previous one is not in it. With it, the
 * worker's peak memory so far, `worker_peak_mb`.
 */
export class ThroughputCallback implements TrainingCallback {
  private images = 0;
  private since = performance.now();

  onEpochStart(_run: TrainingRun, _start: EpochStart): void {
    this.restart();
  }

  onStepEnd(run: TrainingRun, end: StepEnd): void {
    this.images += end.images * (run.plan.global.length + run.plan.local.length);
    const elapsed = (performance.now() - this.since) / 1000;
    if (elapsed >= WINDOW_SECONDS || end.batch === run.stepsPerEpoch - 1) {
      end.log('images_per_s', this.images / elapsed);
      // maxRSS is in kibibytes.
      end.log('worker_peak_mb', process.resourceUsage().maxRSS / 1024);
      this.restart();
    }
  }

  private restart(): void {
    this.images = 0;
    this.since = performance.now();
  }
}
