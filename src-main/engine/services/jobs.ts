import { fork, type ChildProcess } from 'node:child_process';
import type { EngineEvent } from '../../api/events';
import type { Job, MetricPoint, Run } from '../../domain';
import type { StoredCheckpoint } from '../store/checkpoints';
import type { JobTable } from '../store/jobs';
import type { JobStartMessage, JobWorkerMessage } from '../runner/job-protocol';

export interface JobRunnerOptions {
  jobs: JobTable;
  /** The job worker's entry (runner/job-worker), resolved by the engine like the run worker's. */
  entry: () => { file: string; execArgv: string[] };
  env: () => NodeJS.ProcessEnv;
  emit: (e: EngineEvent) => void;
  /** Records metric points of a run (and emits them). */
  addMetrics: (points: MetricPoint[]) => void;
}

/** The last characters a dying worker wrote on stderr, for the job's error. */
const STDERR_TAIL = 2000;

/**
 * Background jobs of the engine host: each linear probe runs in its own process (runner/job-worker.ts),
 * forked like a run worker. The host keeps the job's row current (status, progress, message, result),
 * emits job-updated for every change, and stores a probe's result also as the run's metric points
 * probe_top1/probe_top5 at the checkpoint's step, so it is in the CSV export and comparable across runs.
 */
export class JobRunner {
  private readonly children = new Map<number, ChildProcess>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** Records a linear-probe job on `checkpoint` of `run` and starts its worker. */
  startLinearProbe(run: Run, checkpoint: StoredCheckpoint): Job {
    const { jobs, emit } = this.options;
    const job = jobs.create({
      runId: run.id,
      kind: 'linear-probe',
      checkpointId: checkpoint.id,
      pid: process.pid,
    });
    emit({ event: 'job-updated', job });
    const entry = this.options.entry();
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env: this.options.env(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.children.set(job.id, child);
    if (child.pid) jobs.setWorkerPid(job.id, child.pid);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    let ended = false;
    const update = (next: Job) => emit({ event: 'job-updated', job: next });
    child.on('message', (m: JobWorkerMessage) => {
      // The run (and with it the job) may have been deleted meanwhile.
      if (!jobs.get(job.id)) return;
      switch (m.type) {
        case 'started':
          update(jobs.markRunning(job.id, `started on ${m.backend} (${m.device})`));
          break;
        case 'progress':
          update(jobs.setProgress(job.id, m.progress, m.message));
          break;
        case 'finished': {
          ended = true;
          const wallTime = Date.now() / 1000;
          const at = { runId: run.id, step: checkpoint.step, epoch: checkpoint.epoch, wallTime };
          this.options.addMetrics([
            { ...at, key: 'probe_top1', value: m.result.top1 },
            { ...at, key: 'probe_top5', value: m.result.top5 },
          ]);
          const message =
            `top-1 ${(100 * m.result.top1).toFixed(2)}%, top-5 ${(100 * m.result.top5).toFixed(2)}% ` +
            `(step ${checkpoint.step}, ${m.result.seconds.toFixed(1)} s)`;
          update(jobs.complete(job.id, { ...m.result }, message));
          break;
        }
        case 'failed':
          ended = true;
          update(jobs.fail(job.id, m.error));
          break;
      }
    });
    child.on('exit', (code, signal) => {
      this.children.delete(job.id);
      if (!ended && jobs.get(job.id)) {
        const tail = stderr.trim().split('\n').at(-1);
        update(
          jobs.fail(job.id, `job worker exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`),
        );
      }
    });
    const start: JobStartMessage = {
      type: 'start',
      jobId: job.id,
      runId: run.id,
      method: run.method,
      dataset: run.dataset,
      backend: run.backendPreference,
      config: run.config,
      checkpointPath: checkpoint.path,
    };
    child.send(start);
    return jobs.get(job.id)!;
  }

  /** Whether a job of this run is still being worked on by this engine. */
  busyWith(runId: number): boolean {
    return [...this.children.keys()].some((id) => {
      const job = this.options.jobs.get(id);
      return job?.runId === runId && (job.status === 'queued' || job.status === 'running');
    });
  }

  /** Resolves when the job has completed or failed. */
  waitForJob(id: number, on: (listener: (e: EngineEvent) => void) => () => void): Promise<Job> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const job = this.options.jobs.get(id);
        if (!job) {
          off();
          reject(new Error(`no job with id ${id}`));
        } else if (job.status === 'completed' || job.status === 'failed') {
          off();
          resolve(job);
        }
      };
      const off = on((e) => {
        if (e.event === 'job-updated' && e.job.id === id) check();
      });
      check();
    });
  }

  /** Ends every job worker (their jobs become failed) and waits for them to exit. */
  async close(): Promise<void> {
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(exits);
  }
}
