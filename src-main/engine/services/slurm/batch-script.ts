/**
 * The batch script of a Slurm submission: `#SBATCH` lines from the cluster profile, then one line that
 * starts ContrastLab's worker on the node with its run's folder. A grid is one array job: task i trains
 * the i-th run folder (`SLURM_ARRAY_TASK_ID`, https://slurm.schedmd.com/job_array.html).
 */
import type { SlurmProfile } from '../../../domain';

export interface BatchScriptInput {
  profile: SlurmProfile;
  /** `--job-name`. */
  jobName: string;
  /** One run folder per task; more than one makes an array job. */
  runDirs: string[];
  /** `--output`, with Slurm's replacement symbols (%j, %A, %a). */
  outputPattern: string;
  /** The command that starts ContrastLab on a node (a shell fragment). */
  launch: string;
}

/** Quotes a string for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An `#SBATCH` option's value must stay on its line. */
function oneLine(what: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`the Slurm profile's ${what} must be one line`);
  return value.trim();
}

export function renderBatchScript(input: BatchScriptInput): string {
  const { profile, runDirs } = input;
  if (runDirs.length === 0) throw new Error('a Slurm job needs at least one run');
  const directives = [
    `--job-name=${oneLine('job name', input.jobName)}`,
    // Quoted: sbatch ends an unquoted value at a space or '#' (a shared folder may hold either).
    `--output="${oneLine('output file', input.outputPattern).replace(/["\\]/g, '\\$&')}"`,
    `--ntasks=1`,
    `--cpus-per-task=${profile.cpusPerTask}`,
    // A requeued job would start its run over; a job that ends early is resumed from its checkpoint instead.
    `--no-requeue`,
  ];
  if (profile.timeLimit.trim()) directives.push(`--time=${oneLine('time limit', profile.timeLimit)}`);
  if (profile.partition.trim()) directives.push(`--partition=${oneLine('partition', profile.partition)}`);
  if (profile.account.trim()) directives.push(`--account=${oneLine('account', profile.account)}`);
  if (profile.memory.trim()) directives.push(`--mem=${oneLine('memory', profile.memory)}`);
  if (profile.gres.trim()) directives.push(`--gres=${oneLine('GPUs (gres)', profile.gres)}`);
  if (runDirs.length > 1) directives.push(`--array=0-${runDirs.length - 1}`);
  for (const extra of profile.extraDirectives) {
    const line = oneLine('extra #SBATCH line', extra);
    if (line) directives.push(line.replace(/^#SBATCH\s+/, ''));
  }
  const runDir =
    runDirs.length > 1
      ? [
          `run_dirs=(`,
          ...runDirs.map((d) => `  ${shellQuote(d)}`),
          `)`,
          'run_dir="${run_dirs[$SLURM_ARRAY_TASK_ID]}"',
        ]
      : [`run_dir=${shellQuote(runDirs[0]!)}`];
  return [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    '',
    '# Written by ContrastLab: trains one run per task and writes its reports into the run folder.',
    'set -eu',
    ...runDir,
    // exec: the worker is the job's process, so Slurm's SIGTERM (scancel, time limit) reaches it.
    `exec ${oneLine('launch command', input.launch)} slurm-task "$run_dir"`,
    '',
  ].join('\n');
}
