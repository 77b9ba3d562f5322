import { storageFault } from '../store/storage-fault';

/** How long a run's reports wait for another process's write lock before the run fails. */
const DEFAULT_PATIENCE_MS = 60_000;
/** How often waiting writes are tried again. Each try may block up to the store's busy_timeout. */
const DEFAULT_RETRY_MS = 1_000;

export interface ReportWriterOptions {
  /** What the ids name, for messages: 'run' or 'job'. */
  of: string;
  /**
   * A write of `id` failed for good (a full disk, a read-only or damaged file, a lock held past the
   * patience, or a bug): the owner fails the run or job with `line`. The writes waiting behind it are
   * dropped.
   */
  onFault: (id: number, line: string) => void;
  /** Writes that had to wait (`line` says why) are all recorded now, after `seconds`. */
  onRecovered?: (id: number, line: string, seconds: number) => void;
  patienceMs?: number;
  retryMs?: number;
}

export interface WriteOptions {
  /**
   * The end of the run or job. It is never dropped: whatever the fault, it is tried again until the
   * database takes it (if the host goes first, the next start marks the run interrupted).
   */
  end?: boolean;
  /** Called once when an end could not be written at once: the owner may announce it from memory. */
  delayed?: (line: string) => void;
}

interface Write extends WriteOptions {
  save: () => void;
  announced?: boolean;
}

interface Backlog {
  writes: Write[];
  /** When the first of them failed. */
  since: number;
  line: string;
  timer: NodeJS.Timeout | null;
}

/**
 * Writes what a worker reports, per run (or job), in the order it came, so that a storage fault never
 * escapes into the IPC handler, where it would kill the host. Another process holding the database's
 * write lock is waited out: the report that met the lock and every later one wait in memory and are
 * tried again every `retryMs`, for up to `patienceMs`; the owner then says in the run's log that they
 * waited. Any other fault (a full disk, a read-only or damaged file) cannot be waited out, nor can a
 * lock held past the patience: the owner fails the run with one line.
 */
export class ReportWriter {
  private readonly backlogs = new Map<number, Backlog>();
  private readonly patienceMs: number;
  private readonly retryMs: number;
  /** The engine is closing: what cannot be written at once never will be by this host. */
  private closed = false;

  constructor(private readonly options: ReportWriterOptions) {
    this.patienceMs = options.patienceMs ?? DEFAULT_PATIENCE_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  }

  /** Writes now, or after the writes of `id` that are waiting. */
  write(id: number, save: () => void, options: WriteOptions = {}): void {
    const backlog = this.backlogs.get(id);
    if (backlog) backlog.writes.push({ save, ...options });
    else this.attempt(id, [{ save, ...options }], null);
  }

  /**
   * Tries every waiting write once more, and from now on each write only once: the engine is closing.
   * What is not recorded is said on stderr; the next start marks the run interrupted.
   */
  close(): void {
    this.closed = true;
    for (const [id, backlog] of [...this.backlogs]) {
      this.clear(id);
      this.attempt(id, backlog.writes, backlog);
    }
  }

  private attempt(id: number, writes: Write[], backlog: Backlog | null): void {
    while (writes.length > 0) {
      const next = writes[0]!;
      try {
        next.save();
      } catch (e) {
        const fault = storageFault(e);
        // Not the database's doing: a bug, whose stack is worth having; the host still survives it.
        if (!fault && !this.closed) console.error('contrastlab: could not record a report:', e);
        const line = fault?.message ?? `could not record a report: ${(e as Error).message}`;
        const since = backlog?.since ?? Date.now();
        const patient = Date.now() - since < this.patienceMs;
        if (!next.end && !(fault?.temporary && patient)) {
          this.clear(id);
          this.options.onFault(id, line);
          return;
        }
        if (next.end && !next.announced) {
          next.announced = true;
          next.delayed?.(line);
        }
        if (this.closed) {
          console.error(
            `contrastlab: ${writes.length} report(s) of ${this.options.of} ${id} not recorded: ${line}`,
          );
          return;
        }
        const waiting: Backlog = { writes, since, line, timer: null };
        this.backlogs.set(id, waiting);
        this.schedule(id, waiting, patient);
        return;
      }
      writes.shift();
    }
    if (backlog && this.backlogs.get(id) === backlog) {
      this.clear(id);
      this.options.onRecovered?.(id, backlog.line, (Date.now() - backlog.since) / 1000);
    }
  }

  private schedule(id: number, backlog: Backlog, patient: boolean): void {
    backlog.timer = setTimeout(() => {
      backlog.timer = null;
      if (this.backlogs.get(id) === backlog) this.attempt(id, backlog.writes, backlog);
    }, this.retryMs);
    // Past the patience only an end is left: it is retried without keeping the process alive for it.
    if (!patient) backlog.timer.unref();
  }

  private clear(id: number): void {
    const backlog = this.backlogs.get(id);
    if (backlog?.timer) clearTimeout(backlog.timer);
    this.backlogs.delete(id);
  }
}
