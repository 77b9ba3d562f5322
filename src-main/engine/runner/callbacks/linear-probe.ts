import * as tf from '@tensorflow/tfjs-core';
import { evalTrainSplit } from '../../data/dataset';
import { probeEncoder } from '../../eval/linear-probe';
import type { EpochEnd, PhaseListener, RunEnd, TrainingCallback, TrainingRun } from './training-callback';

/**
 * The linear probe at the end of a completed run (eval/linear-probe.ts) with the run's `probeOptimizer`,
 * reported as probe_top1 and probe_top5 at the run's last step. It judges a run that has already finished
 * training, so a failure here is logged as a warning and does not fail the run.
 */
export class LinearProbeCallback implements TrainingCallback {
  private lastFeatures: { train: tf.Tensor2D; test: tf.Tensor2D } | undefined;

  constructor(private readonly onPhase: PhaseListener = () => {}) {}

  onEpochEnd(run: TrainingRun, end: EpochEnd): void {
    // The last evaluation's features serve the linear probe too: the encoder has not changed since.
    if (end.epoch === run.config.epochs) this.lastFeatures = end.features.keep();
  }

  async onEnd(run: TrainingRun, end: RunEnd): Promise<void> {
    if (end.outcome !== 'completed') return;
    const { dataset, reporter } = run;
    if (!evalTrainSplit(dataset).labels || !dataset.test.labels || dataset.test.count === 0) {
      reporter.log('info', `linear probe skipped: ${dataset.name} has no labelled test split`);
      return;
    }
    let lastLogged = -1;
    this.onPhase(run, 'probing');
    try {
      const r = await probeEncoder(run.instance.encoder, dataset, {
        features: this.lastFeatures,
        optimizer: run.config.probeOptimizer,
        seed: run.config.seed,
        onProgress: (fraction, message) => {
          // A log line per quarter of the work: the run's log, not a progress bar.
          const quarter = Math.floor(fraction * 4);
          if (quarter > lastLogged) {
            lastLogged = quarter;
            reporter.log('info', message);
          }
        },
      });
      reporter.metric(end.step, end.epoch, 'probe_top1', r.top1);
      reporter.metric(end.step, end.epoch, 'probe_top5', r.top5);
      reporter.log(
        'info',
        `linear probe: top-1 ${(100 * r.top1).toFixed(2)}%, top-5 ${(100 * r.top5).toFixed(2)}% ` +
          `(${run.config.probeOptimizer}; train top-1 ${(100 * r.trainTop1).toFixed(2)}%; ${r.seconds.toFixed(1)} s, ` +
          `${r.featureSeconds.toFixed(1)} s of it for features)`,
      );
    } catch (e) {
      reporter.log('warn', `linear probe failed: ${(e as Error).message}`);
    }
  }

  onTeardown(): void {
    if (this.lastFeatures) tf.dispose([this.lastFeatures.train, this.lastFeatures.test]);
    this.lastFeatures = undefined;
  }
}
