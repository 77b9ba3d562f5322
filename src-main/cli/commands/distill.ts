import type { DistillInput } from '../../domain';
import { UsageError } from '../errors';
import { followJob } from '../follow-job';
import { openApi } from '../open-api';
import { positiveInteger } from '../positive-integer';
import { parseRunIdCommand } from '../run-id-command';

const help = `usage: contrastlab distill RUN_ID --teacher JOB_ID [--temperature T] [--label-weight A] [--student-width N] [--epochs N] [--db FILE] [--json]

  Distils a fine-tuned network into a student, as SimCLR v2 does after fine-tuning (Chen et al. 2020b,
  Sec. 2): the teacher is a completed fine-tune job of the run (\`finetune\`, which keeps its network and
  classifier); the student is the run's backbone, initialised at random, with its own linear classifier.
  It learns on every training image, labels unused, to predict the teacher's softened predictions
  (softmax at temperature T), optionally adding the cross-entropy of the teacher's labelled share:
    loss = -(1 - A) * mean over the labelled images of log P_student(label)
           - A * mean over all images of sum_k P_teacher(k; T) log P_student(k; T).
  Random crops and flips only, SGD with momentum 0.9 and a cosine schedule. Prints the student's top-1 and
  top-5 on the test split with the teacher's top-1, and stores the student's as the run's distill_top1 /
  distill_top5 metrics at the step of the checkpoint the teacher was fine-tuned from.

  --teacher JOB_ID       the fine-tune job to distil (\`finetune\` prints its job, the jobs list names it)
  --temperature T        the softmax temperature of the distillation term, above 0 (default 1, v2's best)
  --label-weight A       the distillation term's weight, from 0 to 1; 1 - A weighs the labelled share's
                         cross-entropy (default 1: distillation alone, as v2's main results)
  --student-width N      the student's width, at most the run's (default the run's: self-distillation)
  --epochs N             epochs over the training images (default: as many as the run trained for)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 one JSON event per line on stdout (every job update)
`;

/** A number from the command line (its range is the engine's to judge), else one line naming the flag. */
function parseNumber(flag: string, raw: string): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${raw}"`);
  return n;
}

/** `distill RUN_ID --teacher JOB_ID`: a distillation job, waited for; exit code 0 when it completed. */
export async function distillCommand(argv: string[]): Promise<number> {
  const parsed = parseRunIdCommand('distill', argv, help, {
    teacher: { type: 'string' },
    temperature: { type: 'string' },
    'label-weight': { type: 'string' },
    'student-width': { type: 'string' },
    epochs: { type: 'string' },
  });
  if (parsed === null) return 0;
  const { values, runId } = parsed;
  if (values.teacher === undefined) {
    throw new UsageError('distill needs --teacher JOB_ID, a completed fine-tune job of the run');
  }
  const fineTuneJobId = positiveInteger('--teacher', values.teacher);
  const input: DistillInput = { fineTuneJobId };
  if (values.temperature !== undefined) input.temperature = parseNumber('--temperature', values.temperature);
  if (values['label-weight'] !== undefined) {
    input.labelWeight = parseNumber('--label-weight', values['label-weight']);
  }
  if (values['student-width'] !== undefined) {
    input.studentWidth = positiveInteger('--student-width', values['student-width']);
  }
  if (values.epochs !== undefined) input.epochs = positiveInteger('--epochs', values.epochs);

  const { api, close } = await openApi(values.db, { create: false });
  try {
    const { done } = await followJob(api, runId, values.json ?? false, () =>
      api.startDistillation(runId, input),
    );
    if (done.status !== 'completed' || !done.result) {
      process.stderr.write(`distillation of run ${runId} failed: ${done.error ?? 'unknown error'}\n`);
      return 1;
    }
    if (!values.json) {
      const { top1, top5, teacherTop1, studentWidth, images, epochs } = done.result;
      const percent = (v: number | undefined) => `${(100 * (v ?? NaN)).toFixed(2)}%`;
      process.stdout.write(
        `run ${runId}, fine-tune job ${fineTuneJobId} distilled into a width-${studentWidth} student ` +
          `(${images} images, ${epochs} epochs): top-1 ${percent(top1)}, top-5 ${percent(top5)}; ` +
          `teacher top-1 ${percent(teacherTop1)}\n`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}
