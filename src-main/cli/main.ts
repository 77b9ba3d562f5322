import { isInputError } from '../domain';
import { UsageError } from './errors';
import { methodsCommand } from './commands/methods';
import { trainCommand } from './commands/train';
import { resumeCommand } from './commands/resume';
import { runsCommand } from './commands/runs';
import { exportCommand } from './commands/export';
import { checkLossCommand } from './commands/check-loss';
import { serveCommand } from './commands/serve';
import { benchCommand } from './commands/bench';
import { probeCommand } from './commands/probe';
import { finetuneCommand } from './commands/finetune';
import { transferCommand } from './commands/transfer';
import { distillCommand } from './commands/distill';
import { versionCommand } from './commands/version';
import { gridCommand } from './commands/grid';
import { syncCommand } from './commands/sync';
import { stopCommand } from './commands/stop';
import { slurmTaskCommand } from './commands/slurm-task';

const commands: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  methods: { run: methodsCommand, summary: 'list every method with its paper and config schema' },
  train: { run: trainCommand, summary: 'train a run, here or on Slurm (see `train --help`)' },
  grid: {
    run: gridCommand,
    summary: 'a sweep over one or two settings and seeds, here or as a Slurm array job',
  },
  stop: { run: stopCommand, summary: 'stop a Slurm run (scancel), recorded as stopped' },
  sync: { run: syncCommand, summary: "read Slurm runs' reports into the database (idempotent)" },
  resume: { run: resumeCommand, summary: 'continue a stopped, interrupted or failed run from a checkpoint' },
  runs: { run: runsCommand, summary: 'list the runs in a database as JSON' },
  export: {
    run: exportCommand,
    summary: 'export runs, metric points, similarity histograms or the seed aggregate as CSV',
  },
  'check-loss': {
    run: checkLossCommand,
    summary: "compute a loss fixture with the project's loss functions",
  },
  serve: { run: serveCommand, summary: 'serve the workbench in browser mode on 127.0.0.1 (prints its URL)' },
  bench: { run: benchCommand, summary: 'time training steps, train end to end, check that methods learn' },
  probe: { run: probeCommand, summary: "linear probe on a run's checkpoint (top-1 / top-5)" },
  finetune: { run: finetuneCommand, summary: 'fine-tune a checkpoint on 1%, 10% or 100% of the labels' },
  distill: { run: distillCommand, summary: 'distil a fine-tuned network into a fresh student (SimCLR v2)' },
  transfer: {
    run: transferCommand,
    summary: "judge a run's frozen features on another labelled dataset (kNN, linear probe)",
  },
  version: { run: versionCommand, summary: 'print the version (also --version)' },
  'slurm-task': { run: slurmTaskCommand, summary: '(on a Slurm node) train the run of a run folder' },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return (
    `usage: contrastlab <command> [options]\n       contrastlab --version\n\ncommands:\n${lines.join('\n')}\n\n` +
    'Every command explains itself with --help.\n'
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') return versionCommand(rest);
  const command = commands[name];
  if (!command)
    throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
  return command.run(rest);
}

// A reader that stops early (`contrastlab methods --json | head`) closes standard output: what is left to
// print is dropped, as Unix tools do, instead of an EPIPE stack trace; a run being trained goes on.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // The user's input was wrong (a bad flag, value, method, dataset or database): one line, no stack.
    const known = isInputError(e) || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`contrastlab: ${(e as Error).message}\n`);
    if (!known) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    process.exitCode = 2;
  },
);
