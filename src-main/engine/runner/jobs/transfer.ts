/**
 * A transfer job in the job worker (runner/job-worker.ts): the other dataset read as the run's network
 * sees its own images (eval/transfer.ts), then the frozen encoder judged on it by kNN and the linear probe.
 */
import { ConfigError, type DatasetSpec } from '../../../domain';
import { limitEvaluation, loadDataset, type Dataset } from '../../data';
import { evaluateTransfer, runInputOf, transferDataset } from '../../eval/transfer';
import type { RunConfig } from '../../methods';
import type { MethodInstance } from '../../methods/method';
import type { JobWorkerMessage } from '../job-protocol';

type Progress = (fraction: number, message: string) => void;

/**
 * The other dataset of a transfer, ready to evaluate: loaded at the run's input size (sources that decode
 * files decode at that size; the others are resized into the dataset cache, data/resized.ts), with the
 * run's channels and the run's mean and std (transferDataset), and fitted on at most the run's
 * `evalTrainSize` labelled training images, as the run's own kNN and probe are. Its problems (a missing
 * folder, no labels, a size other than the run's) are the user's to fix: one line each.
 */
export async function loadTransferTarget(
  spec: DatasetSpec,
  run: Dataset,
  config: Pick<RunConfig, 'seed' | 'evalTrainSize'>,
  cacheDir: string | undefined,
  progress: Progress,
): Promise<Dataset> {
  const size = run.height;
  if (spec.imageSize !== undefined && spec.imageSize !== size) {
    throw new ConfigError(
      `a transfer reads the other dataset at the run's input size, ${size} px; imageSize ${spec.imageSize} cannot be asked for`,
    );
  }
  const loaded = await loadDataset({
    ...spec,
    imageSize: size,
    seed: config.seed,
    cacheDir,
    onProgress: (done, total) =>
      progress(0.05, `preparing ${spec.id} at ${size} px: ${done} / ${total} images`),
  });
  const target = await transferDataset(loaded, runInputOf(run), cacheDir ? { cacheDir } : {});
  limitEvaluation(target, config.evalTrainSize);
  return target;
}

/** The frozen encoder of the loaded checkpoint judged on the other dataset, as the job's result. */
export async function runTransfer(
  instance: MethodInstance,
  target: Dataset,
  config: Pick<RunConfig, 'knnK' | 'knnTemperature'>,
  progress: Progress,
): Promise<JobWorkerMessage> {
  const r = await evaluateTransfer(instance.encoder, target, {
    k: config.knnK,
    temperature: config.knnTemperature,
    onProgress: (f, message) => progress(0.1 + 0.9 * f, message),
  });
  return {
    type: 'finished',
    result: {
      top1: r.probeTop1,
      top5: r.probeTop5,
      trainTop1: r.probeTrainTop1,
      knnTop1: r.knnTop1,
      knnTop5: r.knnTop5,
      trainImages: r.trainImages,
      testImages: r.testImages,
      seconds: r.seconds,
    },
  };
}
