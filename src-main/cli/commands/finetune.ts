import { followJob } from '../follow-job';
import { openApi } from '../open-api';
import { positiveInteger } from '../positive-integer';
import { UsageError } from '../errors';
import { parseRunIdCommand } from '../run-id-command';

const help = `usage: contrastlab finetune RUN_ID --labels 1%|10%|100% [--checkpoint ID] [--epochs N] [--db FILE] [--json]

  Fine-tunes the whole network of a run's checkpoint (for SimCLR v2 up to the projection-head layer its
  fineTuneFromLayer names, otherwise the backbone) with a new linear classifier on a class-balanced share
  of the labelled training split, as SimCLR and SimCLR v2 evaluate semi-supervised learning: SGD with
  momentum 0.9, a cosine schedule, no weight decay, random crops and flips only. Prints top-1 and top-5
  on the test split. The subsets come from one fixed seed, so every run is fine-tuned on the same images.
  The result is also stored as the run's finetune_top1 / finetune_top5 metrics at the checkpoint's step,
  and under the share's own keys (e.g. finetune_top1_10pct).

  --labels P%            the share of the labelled training images (the papers': 1%, 10%, 100%; any
                         share above 0% that keeps an image of every class)
  --checkpoint ID        which checkpoint (default: the latest of a finished run)
  --epochs N             epochs over the labelled subset (default 60 below 10% of the labels, else 30)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 one JSON event per line on stdout (every job update)
`;

/** "10%" (or "10") → 10; a share above 0 and at most 100, else one line. */
export function parseLabelShare(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(raw);
  const percent = m ? Number(m[1]) : NaN;
  if (!(percent > 0 && percent <= 100)) {
    throw new UsageError(
      `--labels must be a share of the labels above 0% and at most 100% (e.g. 1%, 10%, 100%), got "${raw}"`,
    );
  }
  return percent;
}

/** `finetune RUN_ID --labels P%`: a fine-tune job, waited for; exit code 0 when it completed. */
export async function finetuneCommand(argv: string[]): Promise<number> {
  const parsed = parseRunIdCommand('finetune', argv, help, {
    labels: { type: 'string' },
    checkpoint: { type: 'string' },
    epochs: { type: 'string' },
  });
  if (parsed === null) return 0;
  const { values, runId } = parsed;
  if (values.labels === undefined) throw new UsageError('finetune needs --labels (1%, 10% or 100%)');
  const labelPercent = parseLabelShare(values.labels);
  const checkpointId =
    values.checkpoint === undefined ? undefined : positiveInteger('--checkpoint', values.checkpoint);
  const epochs = values.epochs === undefined ? undefined : positiveInteger('--epochs', values.epochs);

  const { api, close } = await openApi(values.db, { create: false });
  try {
    const { done, checkpoint } = await followJob(api, runId, values.json ?? false, () =>
      api.startFineTune(runId, {
        labelPercent,
        ...(checkpointId === undefined ? {} : { checkpointId }),
        ...(epochs === undefined ? {} : { epochs }),
      }),
    );
    if (done.status !== 'completed' || !done.result) {
      process.stderr.write(`fine-tune of run ${runId} failed: ${done.error ?? 'unknown error'}\n`);
      return 1;
    }
    if (!values.json) {
      const { top1, top5, labelledImages } = done.result;
      process.stdout.write(
        `run ${runId}, checkpoint ${done.checkpointId} (step ${checkpoint?.step ?? '?'}): fine-tuned on ` +
          `${labelPercent}% of the labels (${labelledImages} images): ` +
          `top-1 ${(100 * top1!).toFixed(2)}%, top-5 ${(100 * top5!).toFixed(2)}%\n`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}
