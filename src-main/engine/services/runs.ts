import fs from 'node:fs';
import type { CreateRunInput, LogLine, MetricPoint, Run, RunPatch } from '../../domain';
import { ConfigError } from '../../domain';
import { getMethod, resolveConfig } from '../methods';
import type { Store } from '../store/store';
import { checkDataset } from './dataset-check';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';
import type { RunSupervisor } from './run-supervisor';

export interface RunServiceOptions {
  store: Store;
  events: EventBus;
  supervisor: RunSupervisor;
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
    await checkDataset(input.dataset, method.needsLabels ?? false);
    const name = input.name?.trim() || `${method.title} on ${input.dataset.id}`;
    const run = this.options.store.createRun({ ...input, config, name });
    this.options.events.emit({ event: 'run-created', run });
    this.options.supervisor.enqueue(run);
    return run;
  }

  stop(id: number, force = false): void {
    this.get(id);
    this.options.supervisor.stop(id, force ? 0 : undefined);
  }

  update(id: number, patch: RunPatch): Run {
    const run = this.options.store.updateRunInfo(id, patch);
    this.options.events.emit({ event: 'run-updated', run });
    return run;
  }

  delete(id: number): void {
    const { supervisor, jobs, store } = this.options;
    this.get(id);
    if (supervisor.isActive(id)) throw new ConfigError(`run ${id} is still running; stop it first`);
    if (jobs.busyWith(id)) throw new ConfigError(`a linear probe of run ${id} is still running`);
    supervisor.forget(id);
    store.deleteRun(id);
    const dir = this.options.checkpointDir(id);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    this.options.deleted?.(id);
  }

  metrics(runIds?: number[], keys?: string[]): MetricPoint[] {
    return this.options.store.metrics(runIds, keys);
  }

  logs(runId: number): LogLine[] {
    return this.options.store.logs(runId);
  }
}
