import { waitForRun } from '../../api/wait';
import { isTerminal } from '../../domain';
import { UsageError } from '../errors';
import { openApi } from '../open-api';
import { parseRunIdCommand } from '../run-id-command';

const help = `usage: contrastlab stop RUN_ID [--db FILE] [--json]

  Stops a Slurm run: its job is cancelled (scancel; the worker saves a checkpoint on Slurm's SIGTERM)
  and the run is recorded as stopped. A local run is stopped by the process training it: the workbench's
  Stop button, or Ctrl-C in its \`train\`.

  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 the stopped run as JSON
`;

/** `stop RUN_ID`: stops a run and waits until it is recorded as ended. */
export async function stopCommand(argv: string[]): Promise<number> {
  const parsed = parseRunIdCommand('stop', argv, help, {});
  if (parsed === null) return 0;
  const { values, runId } = parsed;
  const session = await openApi(values.db, { create: false });
  try {
    const run = await session.api.getRun(runId);
    if (isTerminal(run.status)) {
      process.stdout.write(`run ${runId} is already ${run.status}\n`);
      return 0;
    }
    if (run.executor === 'local') {
      throw new UsageError(
        `run ${runId} trains in the process that started it on this machine; stop it there (the workbench's Stop, or Ctrl-C in its train)`,
      );
    }
    await session.api.stopRun(runId);
    const ended = await waitForRun(session.api, runId);
    if (values.json) process.stdout.write(`${JSON.stringify(ended)}\n`);
    else
      process.stdout.write(
        `run ${runId} ${ended.status}${ended.slurm ? ` (Slurm job ${ended.slurm.jobId} ${ended.slurm.state})` : ''}\n`,
      );
    return 0;
  } finally {
    await session.close();
  }
}
