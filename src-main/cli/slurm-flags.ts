import { executorIds, type ExecutorId, type SlurmProfile } from '../domain';
import { UsageError } from './errors';

/** The flags that choose the executor and change the saved Slurm profile for one submission. */
export const executorFlags = {
  executor: { type: 'string' },
  'slurm-partition': { type: 'string' },
  'slurm-account': { type: 'string' },
  'slurm-time': { type: 'string' },
  'slurm-cpus': { type: 'string' },
  'slurm-mem': { type: 'string' },
  'slurm-gres': { type: 'string' },
  'slurm-directive': { type: 'string', multiple: true },
  'slurm-shared-dir': { type: 'string' },
  'slurm-launch': { type: 'string' },
} as const;

export const executorHelp = `  --executor NAME        local (a worker process here; default) or slurm (a batch job on the cluster)
  --slurm-partition P    these --slurm-* flags change the saved cluster profile (Settings) for this
  --slurm-account A        submission only: partition, account,
  --slurm-time T           time limit (minutes, H:MM:SS, D-HH:MM), CPUs per task, memory (e.g. 16G),
  --slurm-cpus N           generic resources (e.g. gpu:1), an extra #SBATCH line (repeatable),
  --slurm-mem M            the folder every node sees (run folders go there), and the command that
  --slurm-gres G           starts ContrastLab on a node
  --slurm-directive LINE
  --slurm-shared-dir DIR
  --slurm-launch CMD
`;

interface ExecutorFlagValues {
  executor?: string;
  'slurm-partition'?: string;
  'slurm-account'?: string;
  'slurm-time'?: string;
  'slurm-cpus'?: string;
  'slurm-mem'?: string;
  'slurm-gres'?: string;
  'slurm-directive'?: string[];
  'slurm-shared-dir'?: string;
  'slurm-launch'?: string;
}

export function executorFromFlags(values: ExecutorFlagValues): ExecutorId {
  const executor = values.executor ?? 'local';
  if (!(executorIds as readonly string[]).includes(executor)) {
    throw new UsageError(`unknown executor "${executor}"; executors: ${executorIds.join(', ')}`);
  }
  return executor as ExecutorId;
}

/** The profile changes the flags ask for; undefined when there are none. A --slurm-* flag needs --executor slurm. */
export function slurmOverridesFromFlags(
  values: ExecutorFlagValues,
  executor: ExecutorId,
): Partial<SlurmProfile> | undefined {
  const overrides: Partial<SlurmProfile> = {};
  if (values['slurm-partition'] !== undefined) overrides.partition = values['slurm-partition'];
  if (values['slurm-account'] !== undefined) overrides.account = values['slurm-account'];
  if (values['slurm-time'] !== undefined) overrides.timeLimit = values['slurm-time'];
  if (values['slurm-cpus'] !== undefined) {
    const n = Number(values['slurm-cpus']);
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(`--slurm-cpus must be a whole number ≥ 1, got "${values['slurm-cpus']}"`);
    }
    overrides.cpusPerTask = n;
  }
  if (values['slurm-mem'] !== undefined) overrides.memory = values['slurm-mem'];
  if (values['slurm-gres'] !== undefined) overrides.gres = values['slurm-gres'];
  if (values['slurm-directive'] !== undefined) overrides.extraDirectives = values['slurm-directive'];
  if (values['slurm-shared-dir'] !== undefined) overrides.sharedDir = values['slurm-shared-dir'];
  if (values['slurm-launch'] !== undefined) overrides.launchCommand = values['slurm-launch'];
  if (Object.keys(overrides).length === 0) return undefined;
  if (executor !== 'slurm') {
    throw new UsageError('the --slurm-* flags change a Slurm submission; add --executor slurm');
  }
  return overrides;
}
