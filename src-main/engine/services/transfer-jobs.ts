/**
 * The host's side of a transfer job (JobRunner.startTransfer; the work is runner/jobs/transfer.ts): the
 * other dataset checked from its headers before a job is recorded, what the job records of it, and its
 * result as metric points of the run.
 */
import type { DatasetSpec, JobParams, MetricPoint } from '../../domain';
import {
  ConfigError,
  DatasetError,
  transferMetricKey,
  transferTargetKey,
  transferTargetName,
} from '../../domain';
import { inspectDataset } from '../data';
import type { TransferJobResult } from '../runner/job-protocol';

/**
 * One line, before any job is recorded, for another dataset that cannot be read (a missing folder, files
 * that are not the dataset: inspect's DatasetError), that has no labels to judge with, or that is asked
 * for at a size other than the run's (`runDataset`), at which it is always read. Its images are read by
 * the job's worker.
 */
export async function checkTransferTarget(spec: DatasetSpec, runDataset: DatasetSpec): Promise<void> {
  if (spec.imageSize !== undefined) {
    const size = (await inspectDataset(runDataset)).height;
    if (spec.imageSize !== size) {
      throw new ConfigError(
        `a transfer reads the other dataset at the run's input size, ${size} px; imageSize ${spec.imageSize} cannot be asked for`,
      );
    }
  }
  const summary = await inspectDataset(spec);
  if (!summary.evaluable) {
    throw new DatasetError(`dataset ${summary.name} has no labelled training and test images to transfer to`);
  }
}

/** What a transfer job was asked for (Job.params): the other dataset's spec, its id as `dataset`. */
export function transferParams(spec: DatasetSpec): JobParams {
  const { id, ...rest } = spec;
  const params: JobParams = { dataset: id };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) params[key] = value;
  return params;
}

/**
 * A finished transfer as the run's metric points at the checkpoint's step (`at`), under the keys of the
 * other dataset (domain/metrics.ts, transferMetricKey), and the job's message.
 */
export function transferOutcome(
  target: DatasetSpec,
  r: TransferJobResult,
  at: Omit<MetricPoint, 'key' | 'value'>,
): { points: MetricPoint[]; message: string } {
  const key = transferTargetKey(target);
  const points: MetricPoint[] = [
    { ...at, key: transferMetricKey(key, 'knn', 1), value: r.knnTop1 },
    { ...at, key: transferMetricKey(key, 'knn', 5), value: r.knnTop5 },
    { ...at, key: transferMetricKey(key, 'probe', 1), value: r.top1 },
    { ...at, key: transferMetricKey(key, 'probe', 5), value: r.top5 },
  ];
  const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
  const message =
    `transfer to ${transferTargetName(key)} (${r.trainImages} training / ${r.testImages} test images): ` +
    `kNN top-1 ${percent(r.knnTop1)}, probe top-1 ${percent(r.top1)}, top-5 ${percent(r.top5)} ` +
    `(step ${at.step}, ${r.seconds.toFixed(1)} s)`;
  return { points, message };
}
