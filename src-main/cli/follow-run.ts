import { waitForRun } from '../api/wait';
import type { ContrastLabApi } from '../api/commands';
import type { EngineEvent } from '../api/events';
import type { Run } from '../domain';
import { ProgressLine } from './progress';

/** The signals that stop a run cleanly: Ctrl-C, `kill`, `timeout`, systemd, a closed terminal. */
const stopSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Shows a run this command started until it ends: a progress bar on a terminal (or one JSON event per
 * line with `json`), log lines, and the final status. A stop signal stops the run after its current step
 * (recorded as `stopped`, with its stop checkpoint); a second one stops it at once. Returns the exit
 * code: 0 completed, 130 stopped, 1 otherwise.
 */
export async function followRun(api: ContrastLabApi, run: Run, json: boolean): Promise<number> {
  const print = (e: EngineEvent | Record<string, unknown>) => process.stdout.write(JSON.stringify(e) + '\n');
  const bar = !json && process.stderr.isTTY ? new ProgressLine(process.stderr) : null;
  const off = api.onEvent((e) => {
    if ('run' in e && e.run.id !== run.id) return;
    if (('progress' in e && e.progress.runId !== run.id) || ('line' in e && e.line.runId !== run.id)) return;
    if (json) print(e);
    else if (e.event === 'progress') bar?.update(e.progress);
    else if (e.event === 'log') {
      if (bar) bar.message(e.line.message);
      else process.stderr.write(`${e.line.message}\n`);
    }
  });
  if (json) print({ event: 'run-created', run });

  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      bar?.message('stopping after the current step… (again to stop at once)');
      void api.stopRun(run.id);
    } else void api.stopRun(run.id, true);
  };
  for (const s of stopSignals) process.on(s, onSignal);
  try {
    const final = await waitForRun(api, run.id);
    bar?.end();
    if (json) print({ event: 'finished', runId: final.id, status: final.status, error: final.error });
    else {
      const knn = final.summary.knn_top1;
      process.stderr.write(
        `run ${final.id} "${final.name}" ${final.status}` +
          (knn != null ? `, kNN top-1 ${(100 * knn).toFixed(2)}%` : '') +
          (final.error ? `: ${final.error}` : '') +
          '\n',
      );
    }
    return final.status === 'completed' ? 0 : final.status === 'stopped' ? 130 : 1;
  } finally {
    for (const s of stopSignals) process.off(s, onSignal);
    off();
  }
}
