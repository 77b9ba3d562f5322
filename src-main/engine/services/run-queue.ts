/**
 * The runs waiting for a worker, first in first out. The engine starts at most `maxConcurrent()`
 * workers (the setting `maxConcurrentRuns`, read whenever a slot could open, so a change applies at
 * once): every run trains in its own process using every core, so a grid of runs is queued and started
 * as slots free.
 */
export class RunQueue {
  private readonly pending: number[] = [];

  constructor(private readonly limit: () => number) {}

  /** The limit now; a bad one (never stored: the API checks it) counts as 1. */
  get maxConcurrent(): number {
    const n = this.limit();
    return Number.isInteger(n) && n >= 1 ? n : 1;
  }

  push(runId: number): void {
    if (!this.pending.includes(runId)) this.pending.push(runId);
  }

  /** Takes a run out of the queue; false when it was not waiting. */
  remove(runId: number): boolean {
    const i = this.pending.indexOf(runId);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }

  /** The next run to start when `running` workers are busy, or undefined (none waiting, or no slot). */
  next(running: number): number | undefined {
    return running < this.maxConcurrent ? this.pending.shift() : undefined;
  }

  /** Empties the queue, returning what was waiting. */
  drain(): number[] {
    return this.pending.splice(0);
  }

  get size(): number {
    return this.pending.length;
  }
}
