/**
 * Where a run's worker runs: on this machine (`local`, a worker process per run) or on a Slurm cluster
 * (`slurm`, a batch job per run, or one `sbatch --array` job per grid). The workbench stays the single
 * writer of its SQLite database: a Slurm worker writes its reports to a file in the run's folder on the
 * shared filesystem, which the workbench reads in (docs/ARCHITECTURE.md, "Runs on a Slurm cluster").
 */
import type { RunStatus } from './run-status';

export const executorIds = ['local', 'slurm'] as const;
export type ExecutorId = (typeof executorIds)[number];

/** How the workbench submits to a Slurm cluster: the `#SBATCH` lines of every job it writes. */
export interface SlurmProfile {
  /** `--partition`; empty: the cluster's default partition. */
  partition: string;
  /** `--account`; empty: the user's default account. */
  account: string;
  /** `--time` of each run's job, in Slurm's format (minutes, "H:MM:SS", "D-HH:MM"). */
  timeLimit: string;
  /** `--cpus-per-task`. */
  cpusPerTask: number;
  /** `--mem` (e.g. "8G"); empty: the partition's default. */
  memory: string;
  /** `--gres` (e.g. "gpu:1"); empty: no generic resources. */
  gres: string;
  /** Further `#SBATCH` lines, as written after `#SBATCH ` (e.g. "--qos=short"). */
  extraDirectives: string[];
  /**
   * A folder every node and this machine see at the same path: each run's folder (its spec, reports,
   * checkpoints and Slurm output) goes under it. Empty: `slurm-runs` beside the database.
   */
  sharedDir: string;
  /** The command that starts ContrastLab on a node; empty: this installation's own (`node …/bin/contrastlab.js`). */
  launchCommand: string;
}

export const defaultSlurmProfile: SlurmProfile = {
  partition: '',
  account: '',
  timeLimit: '60',
  cpusPerTask: 2,
  memory: '',
  gres: '',
  extraDirectives: [],
  sharedDir: '',
  launchCommand: '',
};

/** A run's Slurm job as the workbench last saw it. */
export interface SlurmJob {
  /** The job's id as Slurm names it: "1234", or "1234_5" for task 5 of an array job. */
  jobId: string;
  /** Slurm's state (PENDING, RUNNING, COMPLETED, TIMEOUT, …); empty before the first poll. */
  state: string;
  /** The node it runs or ran on, once there is one. */
  node: string | null;
  /** Slurm's reason (for a pending job, why it waits; for a failed one, what happened). */
  reason: string | null;
  /** The run's folder on the shared filesystem. */
  runDir: string;
}

/**
 * The run status a Slurm state means. A worker that ends by itself says how (completed, stopped,
 * failed); Slurm's state decides the rest: a cancelled job was stopped, one past its time limit or
 * preempted was interrupted (and can be resumed), one that failed, ran out of memory or lost its node
 * failed. Null for a state that does not change the status (e.g. STOPPED: a job paused by a signal).
 */
export function runStatusOfSlurmState(state: string): RunStatus | null {
  // Slurm may add a suffix ("CANCELLED by 0") or a "+" (a job still completing).
  const base = state.split(/[ +]/)[0] ?? '';
  switch (base) {
    case 'PENDING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'SUSPENDED':
      return 'queued';
    case 'RUNNING':
    case 'CONFIGURING':
    case 'COMPLETING':
    case 'STAGE_OUT':
    case 'SIGNALING':
    case 'RESIZING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
    case 'REVOKED':
      return 'stopped';
    case 'TIMEOUT':
    case 'PREEMPTED':
    case 'DEADLINE':
      return 'interrupted';
    case 'FAILED':
    case 'OUT_OF_MEMORY':
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
      return 'failed';
    default:
      return null;
  }
}

/** Whether this machine can submit to a Slurm cluster. */
export interface SlurmAvailability {
  available: boolean;
  /** Why not, in one line. */
  reason: string | null;
  partitions: string[];
}

/** What one pass over the Slurm runs (reading their reports, asking Slurm their state) found. */
export interface SlurmSyncResult {
  /** Slurm runs looked at. */
  runs: number;
  /** Metric points recorded by this pass. */
  points: number;
  /** Runs this pass ended, with their status. */
  ended: { runId: number; status: RunStatus }[];
  /** Why Slurm could not be asked for the jobs' states (they are asked again next time), or null. */
  slurmError: string | null;
}
