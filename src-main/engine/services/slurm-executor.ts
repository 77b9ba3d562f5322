/**
 * The Slurm executor (docs/ARCHITECTURE.md, "Runs on a Slurm cluster"): a run is a batch job, a grid one
 * array job. Each run gets a folder on the shared filesystem holding its start message, its checkpoints
 * and its events file; the worker on the node (runner/slurm-task.ts) writes only there. This service
 * submits, stops (scancel), and polls: it reads each run's new events into the store — in one
 * transaction with how far the file was read, so a line is never recorded twice whoever reads it
 * (this host, another one, `contrastlab sync`) — and asks Slurm for each job's state, which ends the run
 * where its worker could not say how it ended (cancelled, out of time, killed, lost node).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../api/events';
import type { Run, RunStatus, SlurmAvailability, SlurmProfile, SlurmSyncResult } from '../../domain';
import { ConfigError, isTerminal, runStatusOfSlurmState } from '../../domain';
import type { RunConfig } from '../methods';
import { eventsFile, readEvents } from '../runner/event-file';
import type { StartMessage } from '../runner/run-training';
import { startFile } from '../runner/slurm-task';
import type { StoredSlurmJob } from '../store/slurm-jobs';
import type { Store } from '../store/store';
import type { EventBus } from './event-bus';
import { renderBatchScript, shellQuote } from './slurm/batch-script';
import { queryJobs, sbatch, scancel, slurmAvailability, type SlurmJobState } from './slurm/slurm-commands';
import { recordWorkerReport } from './worker-reports';

export interface SlurmExecutorOptions {
  store: Store;
  events: EventBus;
  /** Where run folders go when the profile names no shared folder: `slurm-runs` beside the database. */
  defaultSharedDir: () => string;
  /** Milliseconds between two polls while Slurm runs are unfinished (default 2000). */
  pollIntervalMs?: number;
}

/** Seconds after submission during which a job Slurm does not list yet is not taken for lost. */
const UNKNOWN_JOB_GRACE_SECONDS = 120;

/** This installation's `contrastlab` launcher, when it has one (a source checkout or npm install). */
function findLauncher(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const bin = path.join(dir, 'bin', 'contrastlab.js');
    if (fs.existsSync(bin)) return bin;
    dir = path.dirname(dir);
  }
  return null;
}

/** Whether the run's events file holds bytes not read in yet. */
function hasUnreadEvents(job: StoredSlurmJob): boolean {
  try {
    return fs.statSync(eventsFile(job.runDir)).size > job.eventsOffset;
  } catch {
    return false;
  }
}

/** What a job's exit code "code:signal" means, in words. */
function exitCodeText(exitCode: string | null): string {
  if (!exitCode) return '';
  const [code, signal] = exitCode.split(':').map(Number);
  if (signal) return `killed by signal ${signal}`;
  return code ? `exit code ${code}` : '';
}

export class SlurmExecutor {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<SlurmSyncResult> | null = null;
  private closed = false;
  /** Jobs of finished runs that Slurm no longer lists: their last state stays as it was. */
  private readonly forgotten = new Set<string>();

  constructor(private readonly options: SlurmExecutorOptions) {}

  /** Whether this machine can submit to a cluster (sinfo answers), and its partitions. */
  availability(): Promise<SlurmAvailability> {
    return slurmAvailability();
  }

  /** The saved cluster profile with a submission's overrides, its empty folder and command resolved. */
  profile(overrides: Partial<SlurmProfile> = {}): SlurmProfile {
    const profile = { ...this.options.store.settings.get().slurm, ...overrides };
    const sharedDir = profile.sharedDir.trim() || this.options.defaultSharedDir();
    let launch = profile.launchCommand.trim();
    if (!launch) {
      const bin = findLauncher();
      if (!bin) {
        throw new ConfigError(
          "this installation has no contrastlab launcher to start on the nodes; set the Slurm profile's launch command",
        );
      }
      const node = process.versions.electron
        ? `ELECTRON_RUN_AS_NODE=1 ${shellQuote(process.execPath)}`
        : shellQuote(process.execPath);
      launch = `${node} ${shellQuote(bin)}`;
    }
    return { ...profile, sharedDir: path.resolve(sharedDir), launchCommand: launch };
  }

  /** Refuses a submission when there is no cluster, in one line. */
  async check(overrides?: Partial<SlurmProfile>): Promise<void> {
    this.profile(overrides);
    const slurm = await this.availability();
    if (!slurm.available) throw new ConfigError(`cannot submit to Slurm: ${slurm.reason}`);
  }

  /** The batch script a one-run submission would get with the profile, for the Settings view. */
  previewScript(overrides?: Partial<SlurmProfile>): string {
    const profile = this.profile(overrides);
    const runDir = path.join(profile.sharedDir, 'run-<id>');
    return renderBatchScript({
      profile,
      jobName: 'contrastlab-run-<id>',
      runDirs: [runDir],
      outputPattern: path.join(runDir, 'slurm-%j.out'),
      launch: profile.launchCommand,
    });
  }

  /**
   * Submits recorded, queued runs as one job (an array job for several): writes each run's folder and
   * start message, the batch script, and calls sbatch. When sbatch refuses, the runs fail with its line
   * and so does this call. `resume` names the checkpoint a resumed run continues from.
   */
  async submit(
    runs: Run[],
    options: { label: string; overrides?: Partial<SlurmProfile>; resume?: Map<number, string> },
  ): Promise<void> {
    const { store } = this.options;
    const profile = this.profile(options.overrides);
    const jobsDir = path.join(profile.sharedDir, 'jobs');
    const runDirs = runs.map((run) => store.slurmJobs.get(run.id)?.runDir ?? this.newRunDir(profile, run.id));
    let scriptPath = '';
    let outputs: string[] = [];
    try {
      fs.mkdirSync(jobsDir, { recursive: true });
      runs.forEach((run, i) => {
        const runDir = runDirs[i]!;
        fs.mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
        const resume = options.resume?.get(run.id);
        const start: StartMessage = {
          type: 'start',
          runId: run.id,
          method: run.method,
          dataset: run.dataset,
          backend: run.backendPreference,
          config: run.config as RunConfig,
          checkpointDir: path.join(runDir, 'checkpoints'),
          datasetCacheDir: path.join(profile.sharedDir, 'dataset-cache'),
          ...(resume ? { resume: { checkpointPath: resume } } : {}),
        };
        fs.writeFileSync(startFile(runDir), `${JSON.stringify(start, null, 1)}\n`);
      });
      const stamp = `${options.label}-${Date.now().toString(36)}`;
      scriptPath = path.join(jobsDir, `${stamp}.sbatch`);
      const array = runs.length > 1;
      const outputPattern = array
        ? path.join(jobsDir, `${stamp}-%A_%a.out`)
        : path.join(runDirs[0]!, 'slurm-%j.out');
      fs.writeFileSync(
        scriptPath,
        renderBatchScript({
          profile,
          jobName: `contrastlab-${options.label}`,
          runDirs,
          outputPattern,
          launch: profile.launchCommand,
        }),
        { mode: 0o755 },
      );
      const jobId = await sbatch(scriptPath);
      outputs = runs.map((_, i) =>
        array
          ? path.join(jobsDir, `${stamp}-${jobId}_${i}.out`)
          : path.join(runDirs[0]!, `slurm-${jobId}.out`),
      );
      store.transaction(() =>
        runs.forEach((run, i) =>
          store.slurmJobs.submitted({
            runId: run.id,
            jobId: array ? `${jobId}_${i}` : jobId,
            runDir: runDirs[i]!,
            scriptPath,
            outputPath: outputs[i]!,
            profile,
          }),
        ),
      );
    } catch (e) {
      const line = `could not submit to Slurm: ${(e as Error).message}`;
      for (const run of runs) {
        this.options.store.markEnded(run.id, 'failed', line);
        this.emitRun(run.id);
      }
      throw new ConfigError(line);
    }
    for (const run of runs) this.emitRun(run.id);
    this.startPolling();
  }

  /** Cancels the run's job; Slurm's state ends the run at the next poll (at once here). */
  async stop(runId: number): Promise<void> {
    const job = this.options.store.slurmJobs.get(runId);
    if (!job) return;
    await scancel([job.jobId]);
    await this.sync([runId]);
    // Its end may take Slurm a moment (the worker's checkpoint, then COMPLETING): polled from here on.
    this.startPolling();
  }

  /** The profile the run's latest job was submitted with. */
  recordedProfile(runId: number): SlurmProfile | undefined {
    return this.options.store.slurmJobs.get(runId)?.profile;
  }

  /** The run folder a deleted run leaves behind. */
  runDir(runId: number): string | null {
    return this.options.store.slurmJobs.get(runId)?.runDir ?? null;
  }

  /**
   * One pass: reads every Slurm run's new events into the store and applies Slurm's state (all Slurm
   * runs, or the ones named). Safe to run twice and from two processes: nothing is recorded twice.
   */
  async sync(runIds?: number[]): Promise<SlurmSyncResult> {
    const { store } = this.options;
    const jobs = store.slurmJobs.all().filter((j) => !runIds || runIds.includes(j.runId));
    const runs = new Map(store.listRuns(jobs.map((j) => j.runId)).map((r) => [r.id, r]));
    const live = jobs.filter((j) => this.needsPolling(j, runs.get(j.runId)));
    // Slurm not answering (a controller timeout, no client on this PATH) says nothing of the jobs: their
    // reports are still read in, and their states are asked again at the next pass.
    let states: Map<string, SlurmJobState> | null = new Map();
    let slurmError: string | null = null;
    if (live.length) {
      try {
        states = await queryJobs(live.map((j) => j.jobId));
      } catch (e) {
        states = null;
        slurmError = (e as Error).message;
      }
    }
    const result: SlurmSyncResult = { runs: jobs.length, points: 0, ended: [], slurmError };
    for (const job of jobs) {
      const run = runs.get(job.runId);
      // A finished run whose file has nothing new and whose job is over costs no transaction.
      if (run && isTerminal(run.status) && !live.includes(job) && !hasUnreadEvents(job)) continue;
      const emitted: EngineEvent[] = [];
      const ended = store.exclusiveTransaction(() => {
        const fresh = store.slurmJobs.get(job.runId);
        if (!fresh) return null;
        result.points += this.ingest(fresh, emitted);
        return states ? this.applyState(fresh.runId, states.get(fresh.jobId), emitted) : null;
      });
      // Only the latest progress of a pass matters to a client.
      const lastProgress = emitted.findLast((e) => e.event === 'progress');
      for (const e of emitted) if (e.event !== 'progress' || e === lastProgress) this.options.events.emit(e);
      if (ended) result.ended.push({ runId: job.runId, status: ended });
    }
    return result;
  }

  /** Polls every `pollIntervalMs` while Slurm runs are unfinished. */
  startPolling(): void {
    if (this.timer || this.closed) return;
    const tick = async () => {
      this.timer = null;
      if (this.closed) return;
      try {
        this.polling = this.sync();
        await this.polling;
      } catch {
        // Slurm or the database busy for a moment: the next poll tries again.
      } finally {
        this.polling = null;
      }
      if (!this.closed && this.hasUnfinishedRuns()) {
        this.timer = setTimeout(() => void tick(), this.options.pollIntervalMs ?? 2000);
      }
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Whether some Slurm run is unfinished, or its job not yet over in Slurm's eyes. */
  hasUnfinishedRuns(): boolean {
    const { store } = this.options;
    const jobs = store.slurmJobs.all();
    const runs = new Map(store.listRuns(jobs.map((j) => j.runId)).map((r) => [r.id, r]));
    return jobs.some((j) => this.needsPolling(j, runs.get(j.runId)));
  }

  /**
   * A run's job is polled while the run is unfinished, and after its worker said it ended until Slurm
   * says so too (a job is COMPLETING for a moment after its worker exits), unless Slurm forgot it.
   */
  private needsPolling(job: StoredSlurmJob, run: Run | undefined): boolean {
    if (!run) return false;
    if (!isTerminal(run.status)) return true;
    if (this.forgotten.has(job.jobId)) return false;
    const status = runStatusOfSlurmState(job.state);
    return job.state === '' || status === 'queued' || status === 'running';
  }

  /** Stops polling (the jobs go on in the cluster; a later host or `sync` reads them in). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => undefined);
  }

  private newRunDir(profile: SlurmProfile, runId: number): string {
    // Several databases may share one folder: a random part keeps their runs apart.
    return path.join(profile.sharedDir, `run-${runId}-${crypto.randomBytes(4).toString('hex')}`);
  }

  /** Records the run's unread events; returns the metric points recorded. Inside the caller's transaction. */
  private ingest(job: StoredSlurmJob, emitted: EngineEvent[]): number {
    const { store } = this.options;
    const read = readEvents(eventsFile(job.runDir), job.eventsOffset);
    let points = 0;
    for (const m of read.messages) {
      if (m.type === 'finished')
        store.slurmJobs.setWorkerEnd(job.runId, { status: m.status, error: m.error });
      else {
        if (m.type === 'metrics') points += m.points.length;
        recordWorkerReport(store, job.runId, m, (e) => emitted.push(e));
      }
    }
    if (read.skipped) {
      const line = {
        runId: job.runId,
        time: Date.now() / 1000,
        level: 'warn' as const,
        message: `skipped ${read.skipped} unreadable line(s) of ${eventsFile(job.runDir)}`,
      };
      store.addLogs([line]);
      emitted.push({ event: 'log', line });
    }
    if (read.offset !== job.eventsOffset) store.slurmJobs.setEventsOffset(job.runId, read.offset);
    return points;
  }

  /**
   * Records Slurm's view of the job and ends the run when it is over: as its worker said when it said
   * completed or failed, else as Slurm's state says (a stop by scancel, a time limit, a crash). Inside the
   * caller's transaction; returns the status the run ended with, if it did.
   */
  private applyState(
    runId: number,
    state: SlurmJobState | undefined,
    emitted: EngineEvent[],
  ): RunStatus | null {
    const { store } = this.options;
    const run = store.getRun(runId);
    const job = store.slurmJobs.get(runId);
    if (!run || !job) return null;
    if (state && (state.state !== job.state || state.node !== job.node || state.reason !== job.reason)) {
      store.slurmJobs.setState(runId, { state: state.state, node: state.node, reason: state.reason });
      emitted.push({ event: 'run-updated', run: store.getRun(runId)! });
    }
    if (isTerminal(run.status)) {
      if (!state) this.forgotten.add(job.jobId);
      return null;
    }
    // A job submitted before the run's latest resume is the previous attempt's, and its end is why the
    // run was resumed: until the resume's own job is recorded (an sbatch away), the run waits for it.
    const resumedAt = run.resumes.at(-1)?.at;
    if (resumedAt && Date.parse(resumedAt) > Date.parse(job.submittedAt)) return null;
    const worker = job.workerEnd;
    if (worker?.status === 'completed') return this.end(runId, 'completed', null, emitted);
    if (worker?.status === 'failed')
      return this.end(runId, 'failed', worker.error ?? 'the worker failed', emitted);
    if (!state) {
      const age = (Date.now() - Date.parse(job.submittedAt)) / 1000;
      if (age < UNKNOWN_JOB_GRACE_SECONDS) return null;
      if (worker?.status === 'stopped') {
        return this.end(
          runId,
          'interrupted',
          `the worker of Slurm job ${job.jobId} stopped on a signal (scancel, the time limit or preemption) and Slurm no longer knows which; resume it to continue from its last checkpoint`,
          emitted,
        );
      }
      return this.end(
        runId,
        'failed',
        `Slurm no longer knows job ${job.jobId} and its worker never reported how the run ended (see ${job.outputPath})`,
        emitted,
      );
    }
    const status = runStatusOfSlurmState(state.state);
    const where = state.node ? ` on ${state.node}` : '';
    switch (status) {
      case 'completed':
        if (worker?.status === 'stopped') return this.end(runId, 'stopped', null, emitted);
        return this.end(
          runId,
          'failed',
          `Slurm job ${job.jobId} completed${where} but its worker never reported how the run ended (see ${job.outputPath})`,
          emitted,
        );
      case 'stopped':
        return this.end(runId, 'stopped', null, emitted);
      case 'interrupted': {
        const why = state.state.startsWith('TIMEOUT')
          ? `it reached its time limit (${job.profile.timeLimit})`
          : `it was ${state.state.toLowerCase()}`;
        return this.end(
          runId,
          'interrupted',
          `Slurm job ${job.jobId}${where} ended: ${why}; resume it to continue from its last checkpoint`,
          emitted,
        );
      }
      case 'failed': {
        const details = [exitCodeText(state.exitCode), state.reason ? `reason ${state.reason}` : '']
          .filter(Boolean)
          .join(', ');
        this.logOutputTail(runId, job.outputPath, emitted);
        return this.end(
          runId,
          'failed',
          `Slurm job ${job.jobId} ${state.state}${where}${details ? ` (${details})` : ''}`,
          emitted,
        );
      }
      default:
        return null;
    }
  }

  /** The last lines of a failed job's output file, into the run's log: what the worker printed before it died. */
  private logOutputTail(runId: number, outputPath: string, emitted: EngineEvent[]): void {
    let text: string;
    try {
      const fd = fs.openSync(outputPath, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const length = Math.min(size, 4096);
        const buffer = Buffer.alloc(length);
        fs.readSync(fd, buffer, 0, length, size - length);
        text = buffer.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return;
    }
    const lines = text
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean)
      .slice(-10)
      .map((message) => ({
        runId,
        time: Date.now() / 1000,
        level: 'error' as const,
        message: `[slurm output] ${message}`,
      }));
    if (!lines.length) return;
    this.options.store.addLogs(lines);
    for (const line of lines) emitted.push({ event: 'log', line });
  }

  private end(
    runId: number,
    status: Exclude<RunStatus, 'queued' | 'running'>,
    error: string | null,
    emitted: EngineEvent[],
  ) {
    this.options.store.markEnded(runId, status, error);
    const run = this.options.store.getRun(runId);
    if (run) emitted.push({ event: 'run-updated', run });
    return status;
  }

  private emitRun(runId: number): void {
    const run = this.options.store.getRun(runId);
    if (run) this.options.events.emit({ event: 'run-updated', run });
  }
}
