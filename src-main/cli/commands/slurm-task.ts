import { UsageError } from '../errors';

const help = `usage: contrastlab slurm-task RUN_DIR

  Run by the Slurm executor's batch script on a compute node, not by hand: trains the run whose start
  message is RUN_DIR/start.json and appends its reports to RUN_DIR/events.jsonl, which the workbench
  reads in. SIGTERM (scancel, the time limit) stops it after the current step with a checkpoint.
`;

export async function slurmTaskCommand(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(help);
    return 0;
  }
  if (argv.length !== 1) throw new UsageError('slurm-task takes one run folder (see `slurm-task --help`)');
  const { runSlurmTask } = await import('../../engine/runner/slurm-task');
  return runSlurmTask(argv[0]!);
}
