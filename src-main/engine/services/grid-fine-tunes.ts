import { labelShares, type Grid, type Run } from '../../domain';
import type { Store } from '../store/store';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';

/**
 * Fine-tunes the runs of grids over the share of the labels (domain/grid.ts, labelShareAxis): once such a
 * grid's run has completed, its latest checkpoint is fine-tuned at each of the grid's shares, one job at a
 * time per run (a job uses every core), so that every cell along the label axis gets its fine-tune
 * accuracy. Each share is started once whoever starts it (JobRunner.startFineTuneOnce); a job that failed
 * is not tried again by itself: its line is in the run's jobs, and the user can start it anew.
 */
export class GridFineTunes {
  /** Runs whose next fine-tune is being started (the job's row does not exist yet). */
  private readonly starting = new Set<number>();
  /** `run:checkpoint:share` asked for by this engine: one refused before its job existed is not asked again. */
  private readonly asked = new Set<string>();
  private stopListening: (() => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly jobs: JobRunner,
  ) {}

  /** Listens for runs that complete and fine-tunes that end, from now on. */
  listen(): this {
    this.stopListening ??= this.events.on((e) => {
      if (e.event === 'run-updated' && e.run.status === 'completed') this.next(e.run.id);
      else if (e.event === 'job-updated' && e.job.kind === 'fine-tune') {
        if (e.job.status === 'completed' || e.job.status === 'failed') this.next(e.job.runId);
      }
    });
    return this;
  }

  /** Starts what is missing for every completed run of every grid over the share of the labels. */
  catchUp(): void {
    for (const grid of this.store.grids.list()) {
      if (labelShares(grid).length === 0) continue;
      for (const id of new Set(grid.runIds.flat(2))) this.next(id);
    }
  }

  close(): void {
    this.stopListening?.();
    this.stopListening = null;
  }

  /** The grids over the share of the labels that hold the run. */
  private gridsOf(runId: number): Grid[] {
    return this.store.grids
      .list()
      .filter((g) => labelShares(g).length > 0 && g.runIds.flat(2).includes(runId));
  }

  /**
   * Starts the run's first fine-tune not yet started, unless one of its fine-tunes is under way: the
   * shares of all its grids, smallest first, on its latest checkpoint.
   */
  private next(runId: number): void {
    if (this.starting.has(runId)) return;
    const run: Run | null = this.store.getRun(runId);
    if (run?.status !== 'completed') return;
    const grids = this.gridsOf(runId);
    if (grids.length === 0) return;
    const checkpoint = this.store.checkpoints.latest(runId);
    if (!checkpoint) return;
    const jobs = this.store.jobs.list(runId).filter((j) => j.kind === 'fine-tune');
    if (jobs.some((j) => j.status === 'queued' || j.status === 'running')) return;
    const done = new Set(
      jobs.filter((j) => j.checkpointId === checkpoint.id).map((j) => j.params?.labelPercent),
    );
    const key = (share: number) => `${runId}:${checkpoint.id}:${share}`;
    const wanted = grids
      .flatMap((g) => labelShares(g).map((share) => ({ share, epochs: g.fineTuneEpochs })))
      .sort((a, b) => a.share - b.share)
      .find((w) => !done.has(w.share) && !this.asked.has(key(w.share)));
    if (!wanted) return;
    this.asked.add(key(wanted.share));
    this.starting.add(runId);
    this.jobs
      .startFineTuneOnce(runId, {
        labelPercent: wanted.share,
        checkpointId: checkpoint.id,
        ...(wanted.epochs !== null ? { epochs: wanted.epochs } : {}),
      })
      // A refusal found by the job (a share that leaves a class empty) is its failed job, with its line;
      // one found before a job existed (the checkpoint's file gone) goes to the run's log.
      .catch((e: Error) => {
        if (this.store.jobs.list(runId).some((j) => j.params?.labelPercent === wanted.share)) return;
        const line = {
          runId,
          time: Date.now() / 1000,
          level: 'warn' as const,
          message: `fine-tune on ${wanted.share}% of the labels (grid) not started: ${e.message}`,
        };
        this.store.addLogs([line]);
        this.events.emit({ event: 'log', line });
      })
      .finally(() => {
        this.starting.delete(runId);
        // Started by another process meanwhile, or refused before a job existed: look again.
        this.next(runId);
      });
  }
}
