/**
 * Where recorded runs go to train: the local run supervisor (a worker process per run, a few at a time)
 * or the Slurm executor (a batch job per run, an array job per grid). The run and grid services ask it;
 * only it knows which executor does what.
 */
import type { ExecutorId, Run, SlurmProfile } from '../../domain';
import { isTerminal } from '../../domain';
import type { RunSupervisor } from './run-supervisor';
import type { SlurmExecutor } from './slurm-executor';

export interface LaunchOptions {
  executor: ExecutorId;
  /** Names the submission (the Slurm job's name). */
  label: string;
  /** This submission's changes to the saved Slurm profile. */
  slurm?: Partial<SlurmProfile>;
  /** The checkpoint file each resumed run continues from. */
  resume?: Map<number, string>;
}

export class RunLauncher {
  constructor(
    private readonly supervisor: RunSupervisor,
    readonly slurm: SlurmExecutor,
  ) {}

  /** Refuses, in one line, a submission its executor cannot take (no Slurm cluster here). */
  async check(executor: ExecutorId, slurm?: Partial<SlurmProfile>): Promise<void> {
    if (executor === 'slurm') await this.slurm.check(slurm);
  }

  /** Starts recorded, queued runs on their executor (all of them on one). */
  async launch(runs: Run[], options: LaunchOptions): Promise<void> {
    if (runs.length === 0) return;
    if (options.executor === 'slurm') {
      await this.slurm.submit(runs, {
        label: options.label,
        overrides: options.slurm,
        resume: options.resume,
      });
      return;
    }
    for (const run of runs) {
      const checkpointPath = options.resume?.get(run.id);
      this.supervisor.enqueue(run, checkpointPath ? { checkpointPath } : undefined);
    }
  }

  async stop(run: Run, force: boolean): Promise<void> {
    if (run.executor === 'slurm') {
      if (!isTerminal(run.status)) await this.slurm.stop(run.id);
      return;
    }
    this.supervisor.stop(run.id, force ? 0 : undefined);
  }

  /** Whether the run still trains somewhere (it cannot be deleted then). */
  isActive(run: Run): boolean {
    return run.executor === 'slurm' ? !isTerminal(run.status) : this.supervisor.isActive(run.id);
  }
}
