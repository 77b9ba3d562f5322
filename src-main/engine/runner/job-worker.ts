/**
 * The job worker: a child process per background job (a linear probe or a fine-tune on a saved
 * checkpoint), forked by the engine host like a run worker (docs/ARCHITECTURE.md, "Processes"), so a job
 * never blocks the host and a crash ends only the job. It rebuilds the run's model from its method and
 * config, loads the checkpoint, and runs the probe (eval/linear-probe.ts) or the fine-tune
 * (eval/fine-tune.ts), reporting progress.
 */
import { isInputError } from '../../domain';
import { initBackend } from '../backend';
import { evalTrainSplit, limitEvaluation, loadDataset, type Dataset } from '../data';
import { fineTune, fineTuneNetwork, fineTuneSubset } from '../eval/fine-tune';
import { probeEncoder } from '../eval/linear-probe';
import { getMethod, resolveConfig } from '../methods';
import type { MethodInstance } from '../methods/method';
import { Rng } from '../util/rng';
import { loadCheckpoint } from './checkpoint';
import { watchHost } from './host-watchdog';
import type { JobStartMessage, JobWorkerMessage } from './job-protocol';

const send = (m: JobWorkerMessage) => process.send?.(m);

process.on('disconnect', () => process.exit(1));
// 'disconnect' waits for the event loop; the watchdog ends us even in the middle of a long job.
watchHost();
process.on('message', (message: JobStartMessage) => {
  if (message.type === 'start') void runJob(message);
});

type Progress = (fraction: number, message: string) => void;

async function runJob(start: JobStartMessage): Promise<void> {
  let last = { at: 0, progress: -1 };
  const progress: Progress = (fraction, message) => {
    // At most a few messages a second: each one is a database write and an event in the host.
    const now = Date.now();
    if (now - last.at < 250 && fraction < 1 && fraction - last.progress < 0.1) return;
    last = { at: now, progress: fraction };
    send({ type: 'progress', progress: Math.min(1, Math.max(0, fraction)), message });
  };
  /** Until a fine-tune is ready, what goes wrong with its input is the user's to fix (one line). */
  let ready = start.task.kind !== 'fine-tune';
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
    const task = start.task;
    // The probe fits on at most evalTrainSize labelled images, as the run's own probe; a fine-tune draws
    // its share from the whole labelled training split, so its subsets do not depend on a run's config.
    if (task.kind === 'linear-probe') limitEvaluation(dataset, config.evalTrainSize);
    const subset = task.kind === 'fine-tune' ? fineTuneSubset(dataset, task.labelPercent) : null;
    if (!subset && (!evalTrainSplit(dataset).labels || !dataset.test.labels || dataset.test.count === 0)) {
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
      if (task.kind === 'fine-tune') {
        send({ type: 'ready', labelledImages: subset!.indices.length });
        ready = true;
        outcome = await runFineTune(instance, dataset, task.labelPercent, task.epochs, subset!, progress);
      } else {
        outcome = await runProbe(instance, dataset, progress);
      }
    } finally {
      instance.dispose();
    }
  } catch (e) {
    outcome = {
      type: 'failed',
      error: (e as Error).message,
      ...(!ready && isInputError(e) ? { input: true } : {}),
    };
  }
  // Exit only once the last message is on its way, so the host records the outcome.
  process.send?.(outcome, () => process.exit(0));
}

async function runProbe(
  instance: MethodInstance,
  dataset: Dataset,
  progress: Progress,
): Promise<JobWorkerMessage> {
  const r = await probeEncoder(instance.encoder, dataset, {
    onProgress: (f, message) => progress(0.1 + 0.9 * f, message),
  });
  return {
    type: 'finished',
    result: { top1: r.top1, top5: r.top5, trainTop1: r.trainTop1, seconds: r.seconds },
  };
}

async function runFineTune(
  instance: MethodInstance,
  dataset: Dataset,
  labelPercent: number,
  epochs: number,
  subset: ReturnType<typeof fineTuneSubset>,
  progress: Progress,
): Promise<JobWorkerMessage> {
  const r = await fineTune(fineTuneNetwork(instance), dataset, {
    labelPercent,
    epochs,
    subset,
    onProgress: (f, message) => progress(0.1 + 0.9 * f, message),
  });
  return {
    type: 'finished',
    result: {
      top1: r.top1,
      top5: r.top5,
      trainTop1: r.trainTop1,
      seconds: r.seconds,
      labelPercent: r.labelPercent,
      labelledImages: r.labelledImages,
      epochs: r.epochs,
    },
  };
}
