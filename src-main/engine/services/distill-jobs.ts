import fs from 'node:fs';
import type { DistillInput, JobParams, MetricPoint } from '../../domain';
import { ConfigError, DatasetError } from '../../domain';
import { inspectDataset } from '../data';
import { defaultDistillEpochs, defaultDistillLabelWeight, defaultDistillTemperature } from '../eval/distill';
import { formatPercent } from '../eval/label-subsets';
import { fineTunedModelFile } from '../runner/fine-tuned-model';
import type { DistillJobResult, DistillTask } from '../runner/job-protocol';
import type { StoredCheckpoint } from '../store/checkpoints';
import type { Store } from '../store/store';

/**
 * The host's side of a distillation job (JobRunner.startDistillation; the work is runner/jobs/distill.ts):
 * what it is asked checked before a job is recorded (one line each), what the job records of it, and its
 * result as metric points of the run.
 */

/** The most epochs a distillation may be asked for. */
const MAX_DISTILL_EPOCHS = 1000;

/** A distillation as its worker gets it, and the teacher's checkpoint, whose step its metrics take. */
export interface Distillation {
  checkpoint: StoredCheckpoint;
  task: DistillTask;
}

/**
 * Checks a distillation of run `runId` and resolves its defaults: τ > 0, α in [0, 1], a labelled dataset,
 * a teacher that is a completed fine-tune job of this run whose network was kept, a student width from 1
 * to the teacher's, and epochs. Each problem is one ConfigError (or DatasetError) line.
 */
export async function resolveDistillation(
  store: Store,
  runId: number,
  input: DistillInput,
): Promise<Distillation> {
  const temperature = input.temperature ?? defaultDistillTemperature;
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new ConfigError(`the distillation temperature must be above 0, got ${temperature}`);
  }
  const labelWeight = input.labelWeight ?? defaultDistillLabelWeight;
  if (!(labelWeight >= 0 && labelWeight <= 1)) {
    throw new ConfigError(
      `the label weight (the distillation term's share of the loss) must be from 0 to 1, got ${labelWeight}`,
    );
  }
  const run = store.getRun(runId);
  if (!run) throw new ConfigError(`no run with id ${runId}`);
  // From the dataset's headers (cheap): a student is measured on labelled test images.
  const summary = await inspectDataset(run.dataset);
  if (!summary.evaluable) {
    throw new DatasetError(`dataset ${summary.name} has no labelled training and test images to distil with`);
  }

  const teacherId = input.fineTuneJobId;
  const teacher = store.jobs.get(teacherId);
  const notTeacher = (why: string) =>
    new ConfigError(`job ${teacherId} is not a completed fine-tune of run ${runId} (${why})`);
  if (!teacher) throw notTeacher('there is no such job');
  if (teacher.runId !== runId) throw notTeacher(`it is a job of run ${teacher.runId}`);
  if (teacher.kind !== 'fine-tune') throw notTeacher(`it is a ${teacher.kind} job`);
  if (teacher.status !== 'completed') throw notTeacher(`it is ${teacher.status}`);
  const checkpoint = teacher.checkpointId === null ? null : store.checkpoints.get(teacher.checkpointId);
  if (!checkpoint) {
    throw new ConfigError(
      `the checkpoint fine-tune job ${teacherId} started from was deleted, and its fine-tuned network with it`,
    );
  }
  const teacherFile = fineTunedModelFile(checkpoint.path, teacherId);
  if (!fs.existsSync(teacherFile)) {
    throw new ConfigError(
      `fine-tune job ${teacherId} kept no fine-tuned network (${teacherFile}); fine-tune again to distil`,
    );
  }
  const labelPercent = Number(teacher.params?.labelPercent);

  const teacherWidth = Number(run.config.width);
  const studentWidth = input.studentWidth ?? teacherWidth;
  if (!(Number.isInteger(studentWidth) && studentWidth >= 1 && studentWidth <= teacherWidth)) {
    throw new ConfigError(
      `the student width must be a whole number from 1 to ${teacherWidth} (the teacher's), got ${studentWidth}`,
    );
  }
  const epochs = input.epochs ?? defaultDistillEpochs(Number(run.config.epochs));
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= MAX_DISTILL_EPOCHS)) {
    throw new ConfigError(
      `distillation epochs must be a whole number from 1 to ${MAX_DISTILL_EPOCHS}, got ${epochs}`,
    );
  }
  return {
    checkpoint,
    task: {
      kind: 'distill',
      teacherJobId: teacherId,
      teacherFile,
      labelPercent,
      temperature,
      labelWeight,
      studentWidth,
      epochs,
    },
  };
}

/** What a distillation job was asked for (Job.params). */
export function distillParams(task: DistillTask): JobParams {
  return {
    fineTuneJobId: task.teacherJobId,
    labelPercent: task.labelPercent,
    temperature: task.temperature,
    labelWeight: task.labelWeight,
    studentWidth: task.studentWidth,
    epochs: task.epochs,
  };
}

/**
 * A finished distillation as the run's metric points at the teacher's checkpoint's step (`at`):
 * distill_top1 and distill_top5 (domain/metrics.ts), and the job's message, with the teacher's top-1.
 */
export function distillOutcome(
  task: DistillTask,
  r: DistillJobResult,
  at: Omit<MetricPoint, 'key' | 'value'>,
): { points: MetricPoint[]; message: string } {
  const points: MetricPoint[] = [
    { ...at, key: 'distill_top1', value: r.top1 },
    { ...at, key: 'distill_top5', value: r.top5 },
  ];
  const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
  const message =
    `distilled fine-tune job ${task.teacherJobId} (${formatPercent(task.labelPercent)} of the labels) into a ` +
    `width-${r.studentWidth} student (${r.images} images, ${r.epochs} epochs, τ ${task.temperature}, ` +
    `α ${task.labelWeight}): top-1 ${percent(r.top1)}, top-5 ${percent(r.top5)}; teacher top-1 ` +
    `${percent(r.teacherTop1)} (step ${at.step}, ${r.seconds.toFixed(1)} s)`;
  return { points, message };
}
