import { fork, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogLine, Run, RunStatus } from '../../domain';
import { isTerminal } from '../../domain';
import type { RunConfig } from '../methods';
import type { HostMessage, WorkerMessage } from '../runner/protocol';
import type { Store } from '../store/store';
import type { EventBus } from './event-bus';
import { ReportWriter } from './report-writer';
import { RunQueue } from './run-queue';
import { spawnFailure, workerEntry, workerEnv } from './worker-process';
import { recordWorkerReport, type WorkerReport } from './worker-reports';

export interface RunSupervisorOptions {
  store: Store;
  events: EventBus;
  /** Run workers at most at once, asked each time a slot could open; further runs wait as 'queued'. */
  maxConcurrentRuns: () => number;
  /** The folder of a run's checkpoints. */
  checkpointDir: (runId: number) => string;
  /** The dataset cache's folder (data/image-cache.ts), beside the database. */
  datasetCacheDir?: string;
}

type EndStatus = Exclude<RunStatus, 'queued' | 'running'>;

/** Where a resumed run continues: a checkpoint with the whole training state (runner/checkpoint.ts). */
export interface ResumeFrom {
  checkpointPath: string;
}

/** Seconds between two heartbeats of this host (store/hosts.ts). */
const HEARTBEAT_SECONDS = 5;

/** Every line a worker prints (tfjs notices, native warnings) becomes a log line of its run. */
function pipeOutput(
  stream: Readable | null,
  level: LogLine['level'],
  record: (line: LogLine) => void,
  runId: number,
) {
  if (!stream) return;
  readline.createInterface({ input: stream }).on('line', (message) => {
    if (message.trim()) record({ runId, time: Date.now() / 1000, level, message });
  });
}

/**
 * Run supervision: queues recorded runs, starts each in a worker process when a slot is free
 * (runner/worker.ts), records what the worker reports (metric points, logs, checkpoints, histograms,
 * embeddings) in the store and emits it as events, and ends the run when the worker finishes, dies or
 * is stopped.
 */
export class RunSupervisor {
  private readonly workers = new Map<number, ChildProcess>();
  private readonly stopping = new Set<number>();
  /** Runs queued or started by this host: it reports their metric points and logs itself. */
  private readonly hosted = new Set<number>();
  private readonly queue: RunQueue;
  /** The checkpoint each queued resume starts from. */
  private readonly resumes = new Map<number, ResumeFrom>();
  private host: { id: number; heartbeat: NodeJS.Timeout } | null = null;
  private closing = false;
  /** Every write a worker's reports cause goes through it: a storage fault fails the run, not the host. */
  private readonly reports: ReportWriter;
  /** Runs failed by a storage fault, until their worker (killed) exits: it is not heard any more. */
  private readonly faulted = new Set<number>();
  /** Runs ended in memory whose end the database has not taken yet (it is retried). */
  private readonly unrecorded = new Map<number, Run>();

  constructor(private readonly options: RunSupervisorOptions) {
    this.queue = new RunQueue(options.maxConcurrentRuns);
    this.reports = new ReportWriter({
      of: 'run',
      onFault: (runId, line) => this.failRun(runId, line),
      onRecovered: (runId, line, seconds) =>
        this.log(runId, 'warn', `${line}; the run's reports waited ${seconds.toFixed(1)} s and are recorded`),
    });
  }

  /** Whether this host queued or started the run (as opposed to another process on the same database). */
  hosts(runId: number): boolean {
    return this.hosted.has(runId);
  }

  isActive(runId: number): boolean {
    return this.workers.has(runId);
  }

  /**
   * This engine host's id in the store (store/hosts.ts), registered when it first queues a run, with a
   * heartbeat from then on: every run it records carries it, so another process opening the database
   * tells this host's queued runs from orphans.
   */
  hostId(): number {
    if (!this.host) {
      const id = this.options.store.hosts.register(process.pid);
      const heartbeat = setInterval(() => {
        try {
          this.options.store.hosts.heartbeat(id);
        } catch {
          // A busy or closing database: the next beat tries again; the host is far from stale.
        }
      }, HEARTBEAT_SECONDS * 1000);
      // The heartbeat never keeps a process (the CLI, a test) alive on its own.
      heartbeat.unref();
      this.host = { id, heartbeat };
    }
    return this.host.id;
  }

  /** Queues a recorded run (from a checkpoint when it resumes); it starts when a worker slot is free. */
  enqueue(run: Run, resume?: ResumeFrom): void {
    this.hosted.add(run.id);
    if (resume) this.resumes.set(run.id, resume);
    else this.resumes.delete(run.id);
    this.queue.push(run.id);
    this.pump();
  }

  /**
   * Asks a run's worker to stop after its current step; it is killed if it does not within `graceMs`.
   * A run still waiting for a slot never starts.
   */
  stop(id: number, graceMs = 30_000): void {
    if (this.queue.remove(id)) {
      this.resumes.delete(id);
      return this.finish(id, 'stopped', null);
    }
    const child = this.workers.get(id);
    if (!child) return;
    this.stopping.add(id);
    // A worker that has just exited (its exit event not handled yet) cannot be written to; its exit
    // handler records the run, so a failed send is no error.
    if (child.connected) child.send({ type: 'stop' } satisfies HostMessage, () => {});
    const kill = () => {
      if (this.workers.get(id) === child) child.kill('SIGKILL');
    };
    if (graceMs <= 0) kill();
    else setTimeout(kill, graceMs).unref();
  }

  /** Forgets a deleted run (it must not be active). */
  forget(id: number): void {
    this.queue.remove(id);
    this.resumes.delete(id);
    this.hosted.delete(id);
  }

  /** Resolves when the run reaches a terminal status. */
  waitForRun(id: number): Promise<Run> {
    return new Promise((resolve) => {
      const check = () => {
        const run = this.unrecorded.get(id) ?? this.options.store.getRun(id);
        if (!run || isTerminal(run.status)) {
          off();
          if (run) resolve(run);
        }
      };
      const off = this.options.events.on((e) => {
        if (e.event === 'run-updated' && e.run.id === id) check();
      });
      check();
    });
  }

  /** Records queued runs as interrupted, stops every worker and waits for them to exit. */
  async close(): Promise<void> {
    this.closing = true;
    for (const id of this.queue.drain())
      this.finish(id, 'interrupted', 'the engine closed before this run started');
    const running = [...this.workers.keys()];
    running.forEach((id) => this.stop(id, 10_000));
    await Promise.all(running.map((id) => this.waitForRun(id)));
    this.reports.close();
    if (this.host) {
      clearInterval(this.host.heartbeat);
      this.options.store.hosts.close(this.host.id);
    }
  }

  /** Starts queued runs if the number of slots has grown (the setting changed). */
  refill(): void {
    this.pump();
  }

  /** Starts queued runs while fewer than maxConcurrentRuns workers are busy. */
  private pump(): void {
    if (this.closing) return;
    for (
      let id = this.queue.next(this.workers.size);
      id !== undefined;
      id = this.queue.next(this.workers.size)
    ) {
      const run = this.options.store.getRun(id);
      if (run && run.status === 'queued') this.start(run);
    }
  }

  private start(run: Run): void {
    const { store } = this.options;
    const entry = workerEntry('worker');
    let child: ChildProcess;
    try {
      child = fork(entry.file, [], {
        execArgv: entry.execArgv,
        env: workerEnv(),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    } catch (e) {
      return this.end(run.id, 'failed', `could not start the run's worker: ${spawnFailure(e)}`);
    }
    this.workers.set(run.id, child);
    this.faulted.delete(run.id);
    // Without it a spawn that fails (EMFILE, EAGAIN, ENOMEM) would be an unhandled 'error': the host dies.
    child.on('error', (e) => this.workerError(run.id, child, e));
    const pid = child.pid;
    if (pid) this.reports.write(run.id, () => store.setWorkerPid(run.id, pid));
    const record = (line: LogLine) => this.reports.write(run.id, () => this.recordLog(line));
    pipeOutput(child.stdout, 'info', record, run.id);
    pipeOutput(child.stderr, 'warn', record, run.id);
    let finished = false;
    child.on('message', (m: WorkerMessage) => {
      if (this.faulted.has(run.id)) return;
      if (m.type === 'finished') {
        finished = true;
        this.end(run.id, m.status, m.error ?? null);
      } else this.reports.write(run.id, () => this.record(run.id, child, m));
    });
    child.on('exit', (code, signal) => {
      // A run resumed the moment it finished has a new worker under its id by now.
      if (this.workers.get(run.id) === child) this.workers.delete(run.id);
      if (!finished && !this.faulted.has(run.id)) {
        // The worker died without reporting (native crash, out of memory, killed).
        const stopped = this.stopping.has(run.id);
        this.end(
          run.id,
          stopped ? 'stopped' : 'failed',
          stopped ? null : `worker exited (${signal ?? `code ${code}`})`,
        );
      }
      this.pump();
    });
    const start: HostMessage = {
      type: 'start',
      runId: run.id,
      method: run.method,
      dataset: run.dataset,
      backend: run.backendPreference,
      // Resolved by the method's schema when the run was created (RunService.create): validated once.
      config: run.config as RunConfig,
      checkpointDir: this.options.checkpointDir(run.id),
      ...(this.options.datasetCacheDir ? { datasetCacheDir: this.options.datasetCacheDir } : {}),
      ...(this.resumes.has(run.id) ? { resume: this.resumes.get(run.id) } : {}),
    };
    this.resumes.delete(run.id);
    // A worker that could not be spawned has no IPC channel; its 'error' event ends the run.
    if (child.connected) child.send(start);
  }

  /** An error of a worker process: it could not be spawned, signalled or written to. */
  private workerError(runId: number, child: ChildProcess, e: Error): void {
    if (child.pid !== undefined) {
      // The process exists: its exit ends the run.
      return this.log(runId, 'warn', `the run's worker: ${e.message}`);
    }
    // Never started, so no 'exit' follows.
    if (this.workers.get(runId) === child) this.workers.delete(runId);
    this.end(runId, 'failed', `could not start the run's worker: ${spawnFailure(e)}`);
    this.pump();
  }

  /**
   * A storage fault the run's reports cannot wait out: the run fails with `line`. Its worker is killed,
   * as nothing more it reports could be recorded; the database keeps what was written before the fault.
   */
  private failRun(runId: number, line: string): void {
    if (this.faulted.has(runId)) return;
    this.faulted.add(runId);
    this.workers.get(runId)?.kill('SIGKILL');
    this.end(runId, 'failed', line);
  }

  /** Ends a run after its reports; an end the database cannot take yet is announced from memory. */
  private end(runId: number, status: EndStatus, error: string | null): void {
    this.reports.write(runId, () => this.finish(runId, status, error), {
      end: true,
      delayed: () => this.announceEnd(runId, status, error),
    });
  }

  private announceEnd(runId: number, status: EndStatus, error: string | null): void {
    let run: Run | null;
    try {
      run = this.options.store.getRun(runId);
    } catch {
      return;
    }
    if (!run || isTerminal(run.status)) return;
    const ended: Run = { ...run, status, error, endedAt: new Date().toISOString() };
    this.unrecorded.set(runId, ended);
    this.options.events.emit({ event: 'run-updated', run: ended });
  }

  private log(runId: number, level: LogLine['level'], message: string): void {
    this.reports.write(runId, () => this.recordLog({ runId, time: Date.now() / 1000, level, message }));
  }

  /** A worker's report, written to the store and forwarded as an event. */
  private record(runId: number, child: ChildProcess, m: WorkerReport): void {
    recordWorkerReport(this.options.store, runId, m, (e) => this.options.events.emit(e), child.pid ?? null);
  }

  private recordLog(line: LogLine): void {
    this.options.store.addLogs([line]);
    this.options.events.emit({ event: 'log', line });
  }

  private finish(runId: number, status: EndStatus, error: string | null): void {
    const current = this.options.store.getRun(runId);
    this.stopping.delete(runId);
    this.unrecorded.delete(runId);
    if (!current || isTerminal(current.status)) return;
    this.options.store.markEnded(runId, status, error);
    this.emitRun(runId);
  }

  private emitRun(runId: number): void {
    const run = this.options.store.getRun(runId);
    if (run) this.options.events.emit({ event: 'run-updated', run });
  }
}
