import fs from 'node:fs';
import path from 'node:path';
import type { CreateRunInput, LogLine, MetricPoint, ResumeRunInput, Run, RunPatch } from '../../domain';
import { ConfigError, isTerminal } from '../../domain';
import { getMethod, resolveConfig } from '../methods';
import { readCheckpointHeader } from '../runner/checkpoint';
import type { StoredCheckpoint } from '../store/checkpoints';
import type { Store } from '../store/store';
import { checkDataset, checkImageSize } from './dataset-check';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';
import type { RunLauncher } from './run-launcher';
import type { RunSupervisor } from './run-supervisor';

export interface RunServiceOptions {
  store: Store;
  events: EventBus;
  supervisor: RunSupervisor;
  launcher: RunLauncher;
  jobs: JobRunner;
  /** The folder of a run's checkpoints, or null when none were ever made. */
  checkpointDir: (runId: number) => string | null;
  /** Told after a run was deleted (the change watcher forgets it). */
  deleted?: (runId: number) => void;
}

/**
 * Runs as clients see them: created after one validation (the method's config schema and the dataset's
 * headers), listed, renamed, stopped and deleted.
 */
export class RunService {
  constructor(private readonly options: RunServiceOptions) {}

  list(ids?: number[]): Run[] {
    return this.options.store.listRuns(ids);
  }

  /** The run, or a ConfigError naming the unknown id. */
  get(id: number): Run {
    const run = this.options.store.getRun(id);
    if (!run) throw new ConfigError(`no run with id ${id}`);
    return run;
  }

  /**
   * Validates everything first (method, config, dataset), so bad input never leaves a half-written run,
   * then records the run as queued with its resolved config; its worker starts when a slot is free.
   */
  async create(input: CreateRunInput): Promise<Run> {
    const method = getMethod(input.method);
    const config = resolveConfig(method, input.config);
    const executor = input.executor ?? 'local';
    await this.options.launcher.check(executor, input.slurm);
    checkImageSize(method, config, await checkDataset(input.dataset, method.needsLabels ?? false));
    const name = input.name?.trim() || `${method.title} on ${input.dataset.id}`;
    const run = this.options.store.createRun(
      { ...input, config, name, executor },
      this.options.supervisor.hostId(),
    );
    this.options.events.emit({ event: 'run-created', run });
    await this.options.launcher.launch([run], { executor, label: `run-${run.id}`, slurm: input.slurm });
    return this.get(run.id);
  }

  /**
   * Resumes a stopped, interrupted or failed run from a checkpoint (its latest whose file is there, or
   * the one named), or continues a completed one for `moreEpochs` more epochs. The worker restores the
   * whole training state from the checkpoint (runner/checkpoint.ts); what was recorded after its step
   * is deleted, the run's history records the resume, and the run is queued again under its own id.
   */
  async resume(id: number, input: ResumeRunInput = {}): Promise<Run> {
    const { store, supervisor, events, launcher } = this.options;
    // A Slurm run's last reports may still be in its events file: they come before the resume.
    if (this.get(id).executor === 'slurm') await launcher.slurm.sync([id]);
    const run = this.get(id);
    if (!isTerminal(run.status)) {
      throw new ConfigError(`run ${id} is ${run.status}; it can be resumed once it has stopped`);
    }
    const epochs = Number(run.config.epochs);
    if (run.status === 'completed' && input.moreEpochs === undefined) {
      throw new ConfigError(
        `run ${id} has completed its ${epochs} epochs; continue it for more (moreEpochs, --epochs N)`,
      );
    }
    const checkpoint = this.resumeCheckpoint(id, input.checkpointId);
    const method = getMethod(run.method);
    const config = resolveConfig(method, { ...run.config, epochs: epochs + (input.moreEpochs ?? 0) });
    checkImageSize(method, config, await checkDataset(run.dataset, method.needsLabels ?? false));
    const { run: reopened, deletedCheckpointFiles } = store.reopenRun(
      id,
      {
        fromStep: checkpoint.step,
        fromEpoch: checkpoint.epoch,
        checkpointId: checkpoint.id,
        epochsBefore: epochs,
        epochs: config.epochs,
      },
      config,
      supervisor.hostId(),
    );
    for (const file of deletedCheckpointFiles) fs.rmSync(file, { force: true });
    events.emit({ event: 'run-updated', run: reopened });
    await launcher.launch([reopened], {
      executor: reopened.executor,
      label: `run-${id}`,
      // A resumed Slurm job keeps the profile its run was submitted with, changed as the resume asks.
      slurm:
        reopened.executor === 'slurm' ? { ...launcher.slurm.recordedProfile(id), ...input.slurm } : undefined,
      resume: new Map([[id, checkpoint.path]]),
    });
    return this.get(id);
  }

  /**
   * The checkpoint a resume starts from: the one named, which must be whole and hold the training
   * state, or else the latest such. Torn or unusable files are skipped, and so are files in the run's
   * folder the database never recorded (a host killed while recording one); each is named in the run's
   * log.
   */
  private resumeCheckpoint(id: number, checkpointId?: number): StoredCheckpoint {
    const { store } = this.options;
    const problem = (c: StoredCheckpoint): string | null => {
      try {
        const header = readCheckpointHeader(c.path);
        return header.training
          ? null
          : `${c.path} holds no training state (it was written before checkpoints could resume)`;
      } catch (e) {
        return (e as Error).message;
      }
    };
    if (checkpointId !== undefined) {
      const named = store.checkpoints.get(checkpointId);
      if (!named || named.runId !== id)
        throw new ConfigError(`run ${id} has no checkpoint with id ${checkpointId}`);
      if (!fs.existsSync(named.path)) {
        throw new ConfigError(`the file of checkpoint ${checkpointId} is gone (${named.path})`);
      }
      const why = problem(named);
      if (why) throw new ConfigError(`checkpoint ${checkpointId} cannot be resumed from: ${why}`);
      return named;
    }
    const recorded = store.checkpoints.list(id);
    this.noteUnrecordedFiles(id, new Set(recorded.map((c) => path.resolve(c.path))));
    for (const c of [...recorded].reverse()) {
      const why = problem(c);
      if (!why) return c;
      this.log(id, `skipped the checkpoint of step ${c.step}: ${why}`);
    }
    throw new ConfigError(`run ${id} has no checkpoint to resume from`);
  }

  /** Checkpoint files in the run's folder with no record: ignored, and said so once per resume. */
  private noteUnrecordedFiles(id: number, recorded: Set<string>): void {
    const dir = this.options.checkpointDir(id);
    if (!dir || !fs.existsSync(dir)) return;
    const strays = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ckpt') && !recorded.has(path.resolve(dir, f)));
    if (strays.length)
      this.log(id, `ignored checkpoint files the database never recorded: ${strays.join(', ')}`);
  }

  private log(runId: number, message: string): void {
    const line = { runId, time: Date.now() / 1000, level: 'warn' as const, message };
    this.options.store.addLogs([line]);
    this.options.events.emit({ event: 'log', line });
  }

  async stop(id: number, force = false): Promise<void> {
    await this.options.launcher.stop(this.get(id), force);
  }

  update(id: number, patch: RunPatch): Run {
    const run = this.options.store.updateRunInfo(id, patch);
    this.options.events.emit({ event: 'run-updated', run });
    return run;
  }

  delete(id: number): void {
    const { supervisor, jobs, store, launcher } = this.options;
    const run = this.get(id);
    if (launcher.isActive(run)) throw new ConfigError(`run ${id} is still ${run.status}; stop it first`);
    const slurmDir = launcher.slurm.runDir(id);
    if (jobs.busyWith(id)) throw new ConfigError(`a linear probe of run ${id} is still running`);
    supervisor.forget(id);
    store.deleteRun(id);
    const dir = this.options.checkpointDir(id);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    // A Slurm run's folder (its start message, events, checkpoints) is the run's own.
    if (slurmDir) fs.rmSync(slurmDir, { recursive: true, force: true });
    this.options.deleted?.(id);
  }

  metrics(runIds?: number[], keys?: string[]): MetricPoint[] {
    return this.options.store.metrics(runIds, keys);
  }

  logs(runId: number): LogLine[] {
    return this.options.store.logs(runId);
  }
}
