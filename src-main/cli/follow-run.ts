import type { ContrastLabApi } from '../api/commands';
import type { EngineEvent } from '../api/events';
import { waitForRun } from '../api/wait';
import { parseCacheProgress, type Run } from '../domain';
import { ProgressLine } from './progress';

/** What stops a run cleanly: Ctrl-C, `kill`, `timeout`, systemd (SIGTERM), a closed terminal (SIGHUP). */
const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Shows a run a command started (`train`, `resume`) until it ends: a progress bar on a terminal, or one
 * JSON event per line with `json`, log lines, and the final status. Made before the run exists, so a
 * stop signal while it is being created stops it as soon as it is: the first signal after its current
 * step (status `stopped`, with its stop checkpoint), a second one at once.
 */
export class RunFollower {
  private runId: number | null = null;
  private signals = 0;
  private readonly bar: ProgressLine | null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.signals++;
    if (signal === 'SIGHUP') {
      // The terminal is gone: output has nowhere to go, and a failed write must not end us first.
      process.stdout.on('error', () => {});
      process.stderr.on('error', () => {});
    }
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    if (this.signals === 1)
      this.bar?.message(`stopping after the current step… (${again} again to abort at once)`);
    this.stop();
  };

  constructor(
    private readonly api: ContrastLabApi,
    private readonly json: boolean,
  ) {
    this.bar = !json && process.stderr.isTTY ? new ProgressLine(process.stderr) : null;
    for (const signal of stopSignals) process.on(signal, this.onSignal);
  }

  /** Follows the run to its end; the exit code: 0 completed, 130 stopped, 1 otherwise. */
  async follow(run: Run): Promise<number> {
    const print = (e: EngineEvent | Record<string, unknown>) =>
      process.stdout.write(JSON.stringify(e) + '\n');
    const off = this.api.onEvent((e) => {
      if ('run' in e && e.run.id !== run.id) return;
      if (this.json) print(e);
      else if (e.event === 'progress') this.bar?.update(e.progress);
      else if (e.event === 'log') {
        const building = parseCacheProgress(e.line.message);
        if (this.bar && building) this.bar.task('preparing the dataset cache', building.done, building.total);
        else if (this.bar) this.bar.message(e.line.message);
        else process.stderr.write(`${e.line.message}\n`);
      }
    });
    try {
      if (this.json) print({ event: 'run-created', run });
      this.runId = run.id;
      if (this.signals > 0) this.stop();
      const final = await waitForRun(this.api, run.id);
      this.bar?.end();
      if (this.json) print({ event: 'finished', runId: final.id, status: final.status, error: final.error });
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
      off();
    }
  }

  /** Stops listening for signals. */
  dispose(): void {
    for (const signal of stopSignals) process.off(signal, this.onSignal);
  }

  private stop(): void {
    // The run's end arrives through waitForRun whatever stopRun answers.
    if (this.runId !== null) this.api.stopRun(this.runId, this.signals > 1).catch(() => {});
  }
}
