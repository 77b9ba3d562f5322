/**
 * The job worker: a child process per background job (a linear probe, a fine-tune or a transfer on a
 * saved checkpoint), forked by the engine host like a run worker (docs/ARCHITECTURE.md, "Processes"), so a
 * job never blocks the host and a crash ends only the job. It rebuilds the run's model from its method and
 * config, loads the checkpoint, and runs the probe (eval/linear-probe.ts), the fine-tune
 * (eval/fine-tune.ts, keeping its network and classifier: runner/fine-tuned-model.ts), the transfer
 * (runner/jobs/transfer.ts) or the distillation of a fine-tune into a student (runner/jobs/distill.ts),
 * reporting progress.
 */
import { isInputError, type ProbeOptimizer } from '../../domain';
import { initBackend } from '../backend';
import { evalTrainSplit, limitEvaluation, loadDataset, type Dataset } from '../data';
import { fineTune, fineTuneNetwork, fineTuneSubset } from '../eval/fine-tune';
import { probeEncoder } from '../eval/linear-probe';
import { getMethod, resolveConfig } from '../methods';
import type { MethodInstance } from '../methods/method';
import { Rng } from '../util/rng';
import { loadCheckpoint, type CheckpointMeta } from './checkpoint';
import { saveFineTunedModel } from './fine-tuned-model';
import { watchHost } from './host-watchdog';
import type { JobStartMessage, JobWorkerMessage } from './job-protocol';
import { runDistill } from './jobs/distill';
import { loadTransferTarget, runTransfer } from './jobs/transfer';

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
  /** Until a fine-tune, a transfer or a distillation is ready, what goes wrong with its input is the user's. */
  let ready =
    start.task.kind !== 'fine-tune' && start.task.kind !== 'transfer' && start.task.kind !== 'distill';
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
    // A transfer needs labels on the other dataset only: the run's may have none.
    const probed = !subset && task.kind !== 'transfer';
    if (probed && (!evalTrainSplit(dataset).labels || !dataset.test.labels || dataset.test.count === 0)) {
      throw new Error(`dataset ${dataset.name} has no labelled test split to probe with`);
    }
    // A transfer's other dataset, at the run's size and channels, with its statistics (runner/jobs/transfer.ts).
    const target =
      task.kind === 'transfer'
        ? await loadTransferTarget(task.target, dataset, config, start.datasetCacheDir, progress)
        : null;
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
      const checkpoint = loadCheckpoint(instance, start.checkpointPath);
      if (task.kind === 'fine-tune') {
        send({ type: 'ready', labelledImages: subset!.indices.length });
        ready = true;
        // The fine-tuned network and classifier are kept, at the checkpoint's step, as a teacher.
        const keep = task.saveTo
          ? {
              file: task.saveTo,
              meta: {
                runId: start.runId,
                step: checkpoint.step,
                epoch: checkpoint.epoch,
                method: start.method,
              },
            }
          : undefined;
        outcome = await runFineTune(
          instance,
          dataset,
          task.labelPercent,
          task.epochs,
          subset!,
          progress,
          keep,
        );
      } else if (task.kind === 'distill') {
        const onReady = (labelledImages: number) => {
          send({ type: 'ready', labelledImages });
          ready = true;
        };
        outcome = await runDistill(instance, dataset, config, task, onReady, progress);
      } else if (target) {
        send({ type: 'ready', labelledImages: evalTrainSplit(target).count });
        ready = true;
        outcome = await runTransfer(instance, target, config, progress);
      } else {
        // Only a linear probe is left here (a transfer always has its target).
        const optimizer = task.kind === 'linear-probe' ? task.optimizer : 'adam';
        outcome = await runProbe(instance, dataset, optimizer, config.seed, progress);
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
  optimizer: ProbeOptimizer,
  seed: number,
  progress: Progress,
): Promise<JobWorkerMessage> {
  const r = await probeEncoder(instance.encoder, dataset, {
    optimizer,
    seed,
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
  keep?: { file: string; meta: CheckpointMeta },
): Promise<JobWorkerMessage> {
  const network = fineTuneNetwork(instance);
  const r = await fineTune(network, dataset, {
    labelPercent,
    epochs,
    subset,
    onProgress: (f, message) => progress(0.1 + 0.9 * f, message),
    ...(keep
      ? {
          onFinished: async (classifier) => {
            await saveFineTunedModel(keep.file, keep.meta, network, classifier);
          },
        }
      : {}),
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
