import { isInputError } from '../domain';
import { UsageError } from './errors';
type CommandRun = (argv: string[]) => Promise<number>;

/**
 * Each command is imported when it is chosen, never at start-up: most of them reach TensorFlow.js and
 * the methods registry, which take a second to load, and `--help`, `--version` or a mistyped command
 * need neither (the test suite starts this process hundreds of times).
 */
const commands: Record<string, { load: () => Promise<CommandRun>; summary: string }> = {
  methods: {
    load: async () => (await import('./commands/methods')).methodsCommand,
    summary: 'list every method with its paper and config schema',
  },
  train: {
    load: async () => (await import('./commands/train')).trainCommand,
    summary: 'train a run, here or on Slurm (see `train --help`, `train --method ID --help`)',
  },
  grid: {
    load: async () => (await import('./commands/grid')).gridCommand,
    summary: 'a sweep over one or two settings and seeds, here or as a Slurm array job',
  },
  stop: {
    load: async () => (await import('./commands/stop')).stopCommand,
    summary: 'stop a Slurm run (scancel), recorded as stopped',
  },
  sync: {
    load: async () => (await import('./commands/sync')).syncCommand,
    summary: "read Slurm runs' reports into the database (idempotent)",
  },
  resume: {
    load: async () => (await import('./commands/resume')).resumeCommand,
    summary: 'continue a stopped, interrupted or failed run from a checkpoint',
  },
  runs: {
    load: async () => (await import('./commands/runs')).runsCommand,
    summary: 'list the runs in a database: a table on a terminal, JSON with --json or when piped',
  },
  export: {
    load: async () => (await import('./commands/export')).exportCommand,
    summary: 'export runs, metric points, similarity histograms or the seed aggregate as CSV',
  },
  'check-loss': {
    load: async () => (await import('./commands/check-loss')).checkLossCommand,
    summary: "compute a loss fixture with the project's loss functions",
  },
  serve: {
    load: async () => (await import('./commands/serve')).serveCommand,
    summary: 'serve the workbench in browser mode on 127.0.0.1 (prints its URL)',
  },
  bench: {
    load: async () => (await import('./commands/bench')).benchCommand,
    summary: 'time training steps, train end to end, check that methods learn',
  },
  probe: {
    load: async () => (await import('./commands/probe')).probeCommand,
    summary: "linear probe on a run's checkpoint (top-1 / top-5)",
  },
  finetune: {
    load: async () => (await import('./commands/finetune')).finetuneCommand,
    summary: 'fine-tune a checkpoint on 1%, 10% or 100% of the labels',
  },
  distill: {
    load: async () => (await import('./commands/distill')).distillCommand,
    summary: 'distil a fine-tuned network into a fresh student (SimCLR v2)',
  },
  transfer: {
    load: async () => (await import('./commands/transfer')).transferCommand,
    summary: "judge a run's frozen features on another labelled dataset (kNN, linear probe)",
  },
  version: {
    load: async () => (await import('./commands/version')).versionCommand,
    summary: 'print the version (also --version)',
  },
  'slurm-task': {
    load: async () => (await import('./commands/slurm-task')).slurmTaskCommand,
    summary: '(on a Slurm node) train the run of a run folder',
  },
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
  const chosen = name === '--version' || name === '-v' ? 'version' : name;
  // Own keys only: `contrastlab toString` is an unknown command, not Object's method.
  const command = Object.hasOwn(commands, chosen) ? commands[chosen] : undefined;
  if (!command)
    throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
  return (await command.load())(rest);
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
