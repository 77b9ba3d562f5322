/**
 * The job worker: a child process per background job (a linear probe on a saved checkpoint), forked by
 * the engine host like a run worker (docs/ARCHITECTURE.md, "Processes"), so a probe never blocks the host and a
 * crash ends only the job. It rebuilds the run's model from its method and config, loads the checkpoint,
 * and runs the probe (eval/linear-probe.ts), reporting progress.
 */
import { initBackend } from '../backend';
import { evalTrainSplit, limitEvaluation, loadDataset } from '../data';
import { probeEncoder } from '../eval/linear-probe';
import { getMethod, resolveConfig } from '../methods';
import { Rng } from '../util/rng';
import { loadCheckpoint } from './checkpoint';
import { watchHost } from './host-watchdog';
import type { JobStartMessage, JobWorkerMessage } from './job-protocol';

const send = (m: JobWorkerMessage) => process.send?.(m);

process.on('disconnect', () => process.exit(1));
// 'disconnect' waits for the event loop; the watchdog ends us even in the middle of a long probe.
watchHost();
process.on('message', (message: JobStartMessage) => {
  if (message.type === 'start') void runJob(message);
});

async function runJob(start: JobStartMessage): Promise<void> {
  let last = { at: 0, progress: -1 };
  const progress = (fraction: number, message: string) => {
    // At most a few messages a second: each one is a database write and an event in the host.
    const now = Date.now();
    if (now - last.at < 250 && fraction < 1 && fraction - last.progress < 0.1) return;
    last = { at: now, progress: fraction };
    send({ type: 'progress', progress: Math.min(1, Math.max(0, fraction)), message });
  };
  let outcome: JobWorkerMessage;
  try {
    const method = getMethod(start.method);
    const config = resolveConfig(method, start.config);
    const info = await initBackend(start.backend);
    send({ type: 'started', backend: info.name, device: info.device });
    progress(0, 'loading the dataset');
    const dataset = await loadDataset({
      ...start.dataset,
      seed: config.seed,
      cacheDir: start.datasetCacheDir,
      onProgress: (done, total) =>
        progress(0.05 * (done / total), `preparing the dataset: ${done} / ${total} images`),
    });
    limitEvaluation(dataset, config.evalTrainSize);
    if (!evalTrainSplit(dataset).labels || !dataset.test.labels || dataset.test.count === 0) {
      throw new Error(`dataset ${dataset.name} has no labelled test split to probe with`);
    }
    progress(0.05, 'loading the checkpoint');
    const instance = method.create(config, {
      rng: new Rng(config.seed),
      imageSize: dataset.height,
      channels: dataset.channels,
      trainSize: dataset.train.count,
      mean: dataset.mean,
      std: dataset.std,
    });
    try {
      loadCheckpoint(instance, start.checkpointPath);
      const r = await probeEncoder(instance.encoder, dataset, {
        onProgress: (f, message) => progress(0.1 + 0.9 * f, message),
      });
      outcome = {
        type: 'finished',
        result: { top1: r.top1, top5: r.top5, trainTop1: r.trainTop1, seconds: r.seconds },
      };
    } finally {
      instance.dispose();
    }
  } catch (e) {
    outcome = { type: 'failed', error: (e as Error).message };
  }
  // Exit only once the last message is on its way, so the host records the outcome.
  process.send?.(outcome, () => process.exit(0));
}
