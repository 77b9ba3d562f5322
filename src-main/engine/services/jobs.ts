import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type {
  DistillInput,
  FineTuneInput,
  Job,
  MetricPoint,
  ProbeOptimizer,
  TransferInput,
} from '../../domain';
import { ConfigError, DatasetError, fineTuneMetricKey, isTerminal, probeOptimizers } from '../../domain';
import { inspectDataset } from '../data';
import { defaultFineTuneEpochs } from '../eval/fine-tune';
import { formatPercent } from '../eval/label-subsets';
import { fineTunedModelFile } from '../runner/fine-tuned-model';
import type {
  DistillJobResult,
  FineTuneJobResult,
  JobStartMessage,
  JobTask,
  JobWorkerMessage,
  TransferJobResult,
} from '../runner/job-protocol';
import type { StoredCheckpoint } from '../store/checkpoints';
import type { Store } from '../store/store';
import type { EventBus } from './event-bus';
import { distillOutcome, distillParams, resolveDistillation } from './distill-jobs';
import { ReportWriter } from './report-writer';
import { checkTransferTarget, transferOutcome, transferParams } from './transfer-jobs';
import { spawnFailure, workerEntry, workerEnv } from './worker-process';

/** The last characters a dying worker wrote on stderr, for the job's error. */
const STDERR_TAIL = 2000;

/** The most epochs a fine-tune may be asked for (the papers' longest schedule is 60). */
const MAX_FINE_TUNE_EPOCHS = 1000;

/**
 * Background jobs of the engine host: each linear probe, fine-tune, transfer or distillation runs in its
 * own process (runner/job-worker.ts), forked like a run worker. The host keeps the job's row current (status, progress,
 * message, result), emits job-updated for every change, and stores a job's result also as the run's metric
 * points at the checkpoint's step (probe_top1/probe_top5; finetune_top1/finetune_top5 and the same under
 * the keys of the share of the labels; transfer_knn_top1_<dataset> etc.; distill_top1/distill_top5,
 * domain/metrics.ts), so it is in
 * the CSV export and comparable across runs.
 */
export class JobRunner {
  private readonly children = new Map<number, ChildProcess>();
  /** Every write a job worker's reports cause goes through it: a storage fault fails the job, not the host. */
  private readonly reports = new ReportWriter({
    of: 'job',
    onFault: (jobId, line) => this.failJob(jobId, line),
  });
  /** Jobs failed by a storage fault, until their worker (killed) exits: it is not heard any more. */
  private readonly faulted = new Set<number>();
  /** Fine-tunes whose worker has not yet said whether their input holds up (startFineTune waits). */
  private readonly waiting = new Map<number, { resolve: (job: Job) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    /** The dataset cache's folder (data/image-cache.ts), beside the database. */
    private readonly datasetCacheDir?: string,
  ) {}

  /**
   * Starts a linear probe on a checkpoint of a run as a background job. Without a checkpoint it probes
   * the latest one of a finished run; a named checkpoint must be one of this run's. The optimiser is
   * `optimizer`, else the run's probeOptimizer (Adam for a run recorded before it existed).
   */
  startLinearProbe(runId: number, checkpointId?: number, optimizer?: ProbeOptimizer): Job {
    const checkpoint = this.checkpointOf(runId, checkpointId, 'probe');
    const runs = this.store.getRun(runId)!.config.probeOptimizer as ProbeOptimizer | undefined;
    const chosen = optimizer ?? (runs && probeOptimizers.includes(runs) ? runs : 'adam');
    if (!probeOptimizers.includes(chosen)) {
      throw new ConfigError(
        `the probe's optimizer must be ${probeOptimizers.join(' or ')}, not ${String(chosen)}`,
      );
    }
    return this.start(runId, checkpoint, { kind: 'linear-probe', optimizer: chosen });
  }

  /**
   * Starts a fine-tune of a checkpoint of a run (default: the latest of a finished run) on a share of the
   * labelled training split as a background job (eval/fine-tune.ts). Answers once the job's worker has
   * found its input sound (the dataset labelled, every class kept by the subset, the checkpoint loaded),
   * so that what the user has to fix is refused as one line (a ConfigError), never left to a failed job.
   */
  async startFineTune(runId: number, input: FineTuneInput): Promise<Job> {
    return (await this.fineTuneJob(runId, input, false))!;
  }

  /**
   * startFineTune, unless a fine-tune of the same checkpoint at the same share was ever started (by any
   * process on this database: the check and the new job's row are one exclusive transaction); then null.
   * For fine-tunes started by the engine itself (grids over the share of the labels), which two hosts may
   * both set out to start.
   */
  startFineTuneOnce(runId: number, input: FineTuneInput): Promise<Job | null> {
    return this.fineTuneJob(runId, input, true);
  }

  private async fineTuneJob(runId: number, input: FineTuneInput, once: boolean): Promise<Job | null> {
    const { labelPercent } = input;
    if (!(Number.isFinite(labelPercent) && labelPercent > 0 && labelPercent <= 100)) {
      throw new ConfigError(
        `the share of the labels must be above 0% and at most 100%, got ${labelPercent}%`,
      );
    }
    const epochs = input.epochs ?? defaultFineTuneEpochs(labelPercent);
    if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= MAX_FINE_TUNE_EPOCHS)) {
      throw new ConfigError(
        `fine-tune epochs must be a whole number from 1 to ${MAX_FINE_TUNE_EPOCHS}, got ${epochs}`,
      );
    }
    const checkpoint = this.checkpointOf(runId, input.checkpointId, 'fine-tune');
    // From the dataset's headers (cheap): an unlabelled dataset is refused before a job is recorded. The
    // worker checks the classes of the subset once it has the labels.
    const run = this.store.getRun(runId)!;
    const summary = await inspectDataset(run.dataset);
    if (!summary.evaluable) {
      throw new DatasetError(
        `dataset ${summary.name} has no labelled training and test images to fine-tune with`,
      );
    }
    const started = () =>
      this.store.jobs
        .list(runId)
        .some(
          (j) =>
            j.kind === 'fine-tune' &&
            j.checkpointId === checkpoint.id &&
            j.params?.labelPercent === labelPercent,
        );
    const job = this.store.exclusiveTransaction(() =>
      once && started() ? null : this.start(runId, checkpoint, { kind: 'fine-tune', labelPercent, epochs }),
    );
    if (!job) return null;
    if (job.status === 'failed') return job;
    return new Promise<Job>((resolve, reject) => this.waiting.set(job.id, { resolve, reject }));
  }

  /**
   * Starts a transfer of a checkpoint of a run (default: the latest of a finished run) to another labelled
   * dataset as a background job (runner/jobs/transfer.ts): the frozen encoder judged on that dataset by
   * kNN and the linear probe. Answers once the job's worker has read the dataset and loaded the
   * checkpoint, like startFineTune; a dataset that cannot be read or has no labels is refused before.
   */
  async startTransfer(runId: number, input: TransferInput): Promise<Job> {
    const checkpoint = this.checkpointOf(runId, input.checkpointId, 'transfer');
    await checkTransferTarget(input.dataset, this.store.getRun(runId)!.dataset);
    const job = this.start(runId, checkpoint, { kind: 'transfer', target: input.dataset });
    if (job.status === 'failed') return job;
    return new Promise<Job>((resolve, reject) => this.waiting.set(job.id, { resolve, reject }));
  }

  /**
   * Starts a distillation of a completed fine-tune job of a run (the teacher, whose network and classifier
   * it kept) into a fresh student trained on the run's training images, as a background job
   * (runner/jobs/distill.ts). Answers once the worker has loaded the teacher, like startFineTune; what
   * the user has to fix (services/distill-jobs.ts) is refused before a job is recorded.
   */
  async startDistillation(runId: number, input: DistillInput): Promise<Job> {
    const { checkpoint, task } = await resolveDistillation(this.store, runId, input);
    const job = this.start(runId, checkpoint, task);
    if (job.status === 'failed') return job;
    return new Promise<Job>((resolve, reject) => this.waiting.set(job.id, { resolve, reject }));
  }

  /**
   * The checkpoint a job works on: the one named, which must be this run's, or else the latest of a
   * finished run. `what` is the job, for messages ('probe', 'fine-tune').
   */
  private checkpointOf(runId: number, checkpointId: number | undefined, what: string): StoredCheckpoint {
    const run = this.store.getRun(runId);
    if (!run) throw new ConfigError(`no run with id ${runId}`);
    let checkpoint: StoredCheckpoint | null;
    if (checkpointId !== undefined) {
      checkpoint = this.store.checkpoints.get(checkpointId);
      if (!checkpoint || checkpoint.runId !== runId) {
        throw new ConfigError(`run ${runId} has no checkpoint with id ${checkpointId}`);
      }
    } else {
      if (!isTerminal(run.status)) {
        throw new ConfigError(
          `run ${runId} is ${run.status}; ${what} it once it has finished, or name a checkpoint`,
        );
      }
      checkpoint = this.store.checkpoints.latest(runId);
      if (!checkpoint) throw new ConfigError(`run ${runId} has no checkpoints to ${what}`);
    }
    if (!fs.existsSync(checkpoint.path)) {
      throw new ConfigError(`the file of checkpoint ${checkpoint.id} is gone (${checkpoint.path})`);
    }
    return checkpoint;
  }

  /**
   * startFineTune's answer, once: the job (ready, or failed for a reason that is not the user's input),
   * or `inputError` as a ConfigError.
   */
  private settle(jobId: number, inputError: string | null = null): void {
    const waiter = this.waiting.get(jobId);
    if (!waiter) return;
    this.waiting.delete(jobId);
    const job = this.store.jobs.get(jobId);
    if (inputError !== null) waiter.reject(new ConfigError(inputError));
    else if (job) waiter.resolve(job);
    else waiter.reject(new ConfigError(`job ${jobId} was deleted with its run`));
  }

  /** Records a job of `task` on `checkpoint` and starts its worker. */
  private start(runId: number, checkpoint: StoredCheckpoint, task: JobTask): Job {
    const run = this.store.getRun(runId)!;
    const jobs = this.store.jobs;
    const emit = (e: Parameters<EventBus['emit']>[0]) => this.events.emit(e);
    const job = jobs.create({
      runId: run.id,
      kind: task.kind,
      checkpointId: checkpoint.id,
      pid: process.pid,
      ...(task.kind === 'fine-tune'
        ? { params: { labelPercent: task.labelPercent, epochs: task.epochs } }
        : {}),
      ...(task.kind === 'linear-probe' ? { params: { optimizer: task.optimizer } } : {}),
      ...(task.kind === 'transfer' ? { params: transferParams(task.target) } : {}),
      ...(task.kind === 'distill' ? { params: distillParams(task) } : {}),
    });
    emit({ event: 'job-updated', job });
    const fail = (error: string) => this.endJob(job.id, error);
    const entry = workerEntry('job-worker');
    let child: ChildProcess;
    try {
      child = fork(entry.file, [], {
        execArgv: entry.execArgv,
        env: workerEnv(),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (e) {
      fail(`could not start the job's worker: ${spawnFailure(e)}`);
      return jobs.get(job.id)!;
    }
    this.children.set(job.id, child);
    // Without it a spawn that fails (EMFILE, EAGAIN, ENOMEM) would be an unhandled 'error': the host dies.
    child.on('error', (e) => {
      // A worker that exists ends with its 'exit'; one never spawned has none to wait for.
      if (child.pid !== undefined) return;
      this.children.delete(job.id);
      fail(`could not start the job's worker: ${spawnFailure(e)}`);
    });
    const pid = child.pid;
    if (pid) this.reports.write(job.id, () => jobs.setWorkerPid(job.id, pid));
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    let ended = false;
    child.on('message', (m: JobWorkerMessage) => {
      if (this.faulted.has(job.id)) return;
      if (m.type === 'finished' || m.type === 'failed') ended = true;
      this.reports.write(job.id, () => this.record(job.id, m, checkpoint, task), {
        end: m.type === 'finished' || m.type === 'failed',
      });
    });
    child.on('exit', (code, signal) => {
      this.children.delete(job.id);
      if (!ended && !this.faulted.has(job.id)) {
        const tail = stderr.trim().split('\n').at(-1);
        fail(`job worker exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`);
      }
      this.faulted.delete(job.id);
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
      // A fine-tune keeps its network and classifier beside the checkpoint, for a distillation's teacher.
      task:
        task.kind === 'fine-tune' ? { ...task, saveTo: fineTunedModelFile(checkpoint.path, job.id) } : task,
      ...(this.datasetCacheDir ? { datasetCacheDir: this.datasetCacheDir } : {}),
    };
    // A worker that could not be spawned has no IPC channel; its 'error' event fails the job.
    if (child.connected) child.send(start);
    return jobs.get(job.id)!;
  }

  /**
   * A storage fault the job's reports cannot wait out: the job fails with `line`, and its worker is
   * killed, as nothing more it reports could be recorded.
   */
  private failJob(jobId: number, line: string): void {
    if (this.faulted.has(jobId)) return;
    const child = this.children.get(jobId);
    if (child) this.faulted.add(jobId);
    child?.kill('SIGKILL');
    this.endJob(jobId, line);
  }

  /** Fails a job after its reports (unless it was deleted with its run meanwhile). */
  private endJob(jobId: number, error: string): void {
    const jobs = this.store.jobs;
    const save = () => {
      if (jobs.get(jobId)) this.update(jobs.fail(jobId, error));
      this.settle(jobId);
    };
    this.reports.write(jobId, save, { end: true });
  }

  private update(job: Job): void {
    this.events.emit({ event: 'job-updated', job });
  }

  /** A job worker's report, written to the store and forwarded as an event. */
  private record(jobId: number, m: JobWorkerMessage, checkpoint: StoredCheckpoint, task: JobTask): void {
    const jobs = this.store.jobs;
    // The run (and with it the job) may have been deleted meanwhile.
    const job = jobs.get(jobId);
    if (!job) return this.settle(jobId);
    switch (m.type) {
      case 'started':
        this.update(jobs.markRunning(jobId, `started on ${m.backend} (${m.device})`));
        break;
      case 'ready':
        this.settle(jobId);
        break;
      case 'progress':
        this.update(jobs.setProgress(jobId, m.progress, m.message));
        break;
      case 'finished': {
        const wallTime = Date.now() / 1000;
        const at = { runId: job.runId, step: checkpoint.step, epoch: checkpoint.epoch, wallTime };
        const accuracies =
          `top-1 ${(100 * m.result.top1).toFixed(2)}%, top-5 ${(100 * m.result.top5).toFixed(2)}% ` +
          `(step ${checkpoint.step}, ${m.result.seconds.toFixed(1)} s)`;
        let points: MetricPoint[];
        let message: string;
        if (task.kind === 'fine-tune') {
          const r = m.result as FineTuneJobResult;
          // Under the plain keys and under those of this share of the labels (domain/metrics.ts).
          points = [
            { ...at, key: 'finetune_top1', value: r.top1 },
            { ...at, key: 'finetune_top5', value: r.top5 },
            { ...at, key: fineTuneMetricKey(task.labelPercent, 1), value: r.top1 },
            { ...at, key: fineTuneMetricKey(task.labelPercent, 5), value: r.top5 },
          ];
          message =
            `${formatPercent(task.labelPercent)} of the labels (${r.labelledImages} images, ${r.epochs} epochs): ` +
            accuracies;
        } else if (task.kind === 'distill') {
          ({ points, message } = distillOutcome(task, m.result as DistillJobResult, at));
        } else if (task.kind === 'transfer') {
          // Under the keys of the other dataset (domain/metrics.ts, transferMetricKey).
          ({ points, message } = transferOutcome(task.target, m.result as TransferJobResult, at));
        } else {
          points = [
            { ...at, key: 'probe_top1', value: m.result.top1 },
            { ...at, key: 'probe_top5', value: m.result.top5 },
          ];
          message = accuracies;
        }
        // One transaction, so a write that has to be tried again never records the points twice.
        const completed = this.store.transaction(() => {
          this.store.addMetrics(points);
          return jobs.complete(jobId, { ...m.result }, message);
        });
        this.events.emit({ event: 'metrics', points });
        this.update(completed);
        this.settle(jobId);
        break;
      }
      case 'failed':
        this.update(jobs.fail(jobId, m.error));
        this.settle(jobId, m.input ? m.error : null);
        break;
    }
  }

  /** Whether a job of this run is still being worked on by this engine. */
  busyWith(runId: number): boolean {
    return [...this.children.keys()].some((id) => {
      const job = this.store.jobs.get(id);
      return job?.runId === runId && (job.status === 'queued' || job.status === 'running');
    });
  }

  /** Resolves when the job has completed or failed. */
  waitForJob(id: number): Promise<Job> {
    const on = (listener: Parameters<EventBus['on']>[0]) => this.events.on(listener);
    return new Promise((resolve, reject) => {
      const check = () => {
        const job = this.store.jobs.get(id);
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
    this.reports.close();
    for (const id of [...this.waiting.keys()]) this.settle(id);
  }
}
