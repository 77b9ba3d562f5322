import type * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { probeEncoder } from '../eval/linear-probe';
import type { Backbone } from '../nn/backbones';

/** The part of the training loop's reporter the end-of-run probe uses. */
export interface ProbeReporter {
  metric(step: number, epoch: number, key: string, value: number): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/**
 * The linear probe at the end of a completed run (eval/linear-probe.ts), reported as probe_top1 and
 * probe_top5 at the run's last step. It judges a run that has already finished training, so a failure
 * here is logged as a warning and does not fail the run.
 */
export async function probeAtEnd(
  encoder: Backbone,
  dataset: Dataset,
  step: number,
  epoch: number,
  reporter: ProbeReporter,
  /** The encoder's features of both splits from the last evaluation, if kept (not disposed here). */
  features?: { train: tf.Tensor2D; test: tf.Tensor2D },
): Promise<void> {
  if (!dataset.train.labels || !dataset.test.labels || dataset.test.count === 0) {
    reporter.log('info', `linear probe skipped: ${dataset.name} has no labelled test split`);
    return;
  }
  let lastLogged = -1;
  try {
    const r = await probeEncoder(encoder, dataset, {
      features,
      onProgress: (fraction, message) => {
        // A log line per quarter of the work: the run's log, not a progress bar.
        const quarter = Math.floor(fraction * 4);
        if (quarter > lastLogged) {
          lastLogged = quarter;
          reporter.log('info', message);
        }
      },
    });
    reporter.metric(step, epoch, 'probe_top1', r.top1);
    reporter.metric(step, epoch, 'probe_top5', r.top5);
    reporter.log(
      'info',
      `linear probe: top-1 ${(100 * r.top1).toFixed(2)}%, top-5 ${(100 * r.top5).toFixed(2)}% ` +
        `(train top-1 ${(100 * r.trainTop1).toFixed(2)}%; ${r.seconds.toFixed(1)} s, ` +
        `${r.featureSeconds.toFixed(1)} s of it for features)`,
    );
  } catch (e) {
    reporter.log('warn', `linear probe failed: ${(e as Error).message}`);
  }
}
