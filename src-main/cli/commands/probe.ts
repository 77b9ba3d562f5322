import { waitForJob } from '../../api/wait';
import { openApi } from '../open-api';
import { positiveInteger } from '../positive-integer';
import { UsageError } from '../errors';
import { parseRunIdCommand } from '../run-id-command';

const help = `usage: contrastlab probe RUN_ID [--checkpoint ID] [--optimizer adam|sgd] [--db FILE] [--json]

  Trains a linear classifier on frozen backbone features of a run's checkpoint (SimCLR/MoCo linear
  evaluation) and prints its top-1 and top-5 test accuracy. The result is also stored as the run's
  probe_top1 / probe_top5 metrics at the checkpoint's step.

  --checkpoint ID        which checkpoint (default: the latest of a finished run)
  --optimizer adam|sgd   full-batch Adam, or the papers' mini-batch SGD with Nesterov momentum
                         (SimCLR App. B.6, MoCo); default: the run's probeOptimizer
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 one JSON event per line on stdout (every job update)
`;

/**
 * `probe RUN_ID [--checkpoint ID] [--optimizer adam|sgd]`: a linear-probe job, waited for; exit code 0
 * when it completed.
 */
export async function probeCommand(argv: string[]): Promise<number> {
  const parsed = parseRunIdCommand('probe', argv, help, {
    checkpoint: { type: 'string' },
    optimizer: { type: 'string' },
  });
  if (parsed === null) return 0;
  const { values, runId } = parsed;
  const checkpointId =
    values.checkpoint === undefined ? undefined : positiveInteger('--checkpoint', values.checkpoint);
  const optimizer = values.optimizer;
  if (optimizer !== undefined && optimizer !== 'adam' && optimizer !== 'sgd') {
    throw new UsageError(`--optimizer must be adam or sgd, not ${optimizer}`);
  }

  const { api, close } = await openApi(values.db, { create: false });
  try {
    const job = await api.startLinearProbe(runId, checkpointId, optimizer);
    const checkpoint = (await api.listCheckpoints(runId)).find((c) => c.id === job.checkpointId);
    let lastMessage = '';
    const off = api.onEvent((e) => {
      if (e.event !== 'job-updated' || e.job.id !== job.id) return;
      if (values.json) process.stdout.write(JSON.stringify(e) + '\n');
      else if (e.job.message && e.job.message !== lastMessage && e.job.status === 'running') {
        lastMessage = e.job.message;
        process.stderr.write(`${Math.round(100 * e.job.progress)}%  ${e.job.message}\n`);
      }
    });
    const done = await waitForJob(api, job);
    off();
    if (done.status !== 'completed' || !done.result) {
      process.stderr.write(`linear probe of run ${runId} failed: ${done.error ?? 'unknown error'}\n`);
      return 1;
    }
    if (!values.json) {
      const { top1, top5 } = done.result;
      process.stdout.write(
        `run ${runId}, checkpoint ${done.checkpointId} (step ${checkpoint?.step ?? '?'}): ` +
          `linear probe top-1 ${(100 * top1!).toFixed(2)}%, top-5 ${(100 * top5!).toFixed(2)}% ` +
          `(${String(done.params?.optimizer ?? 'adam')})\n`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}
