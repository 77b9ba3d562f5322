import { RunFollower } from '../follow-run';
import { openApi } from '../open-api';
import { positiveInteger } from '../positive-integer';
import { parseRunIdCommand } from '../run-id-command';

const help = `usage: contrastlab resume RUN_ID [--checkpoint ID] [--epochs N] [--db FILE] [--json]

  Continues a stopped, interrupted or failed run under its own id, exactly where its latest checkpoint
  (or the one named) left it: weights, optimiser state, the position of every schedule, the data order
  and the augmentation stream, queues, memory banks. Metric points recorded after that checkpoint's
  step are replaced, never duplicated; the run's history records the resume.

  --checkpoint ID        resume from this checkpoint (see the run's checkpoints; default: the latest)
  --epochs N             train N more epochs than the run had (required for a completed run)
  --slurm-time T         a Slurm run: the resumed job's time limit (e.g. after it ran out of time)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB)
  --json                 one JSON event per line on stdout instead of a progress bar

  Exit code 0 when the run completes, 130 when it is stopped (Ctrl-C, SIGTERM, SIGHUP), 1 when it fails.
`;

/** `resume RUN_ID`: the run continues from a checkpoint, shown like `train`. */
export async function resumeCommand(argv: string[]): Promise<number> {
  const parsed = parseRunIdCommand('resume', argv, help, {
    checkpoint: { type: 'string' },
    epochs: { type: 'string' },
    'slurm-time': { type: 'string' },
  });
  if (parsed === null) return 0;
  const { values, runId } = parsed;
  const checkpointId =
    values.checkpoint === undefined ? undefined : positiveInteger('--checkpoint', values.checkpoint);
  const moreEpochs = values.epochs === undefined ? undefined : positiveInteger('--epochs', values.epochs);

  const { api, close } = await openApi(values.db, { create: false });
  const follower = new RunFollower(api, values.json ?? false);
  try {
    const slurm = values['slurm-time'] === undefined ? undefined : { timeLimit: values['slurm-time'] };
    return await follower.follow(await api.resumeRun(runId, { checkpointId, moreEpochs, slurm }));
  } finally {
    follower.dispose();
    await close();
  }
}
