import { parseArgs } from 'node:util';
import { openApi } from '../open-api';
import { runsTable } from '../runs-table';

const help = `usage: contrastlab runs [--db FILE] [--json]

  Lists every run in a database. On a terminal, a table: id, name, status, method, dataset (with the
  training subset's size), epochs, kNN and linear-probe top-1 (the run's result: never an evaluation
  of the random initialisation; a run that did not complete names the step it was measured at) and how
  long it trained. With --json, or when standard output is not a terminal (a pipe, a file), JSON: each run
  with its config, dataset, times, error and last metric values, as scripts have always read it.

  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 JSON even on a terminal
`;

/** `runs [--db FILE] [--json]`: every run with its config, times, error and last metric values. */
export async function runsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const session = await openApi(values.db, { create: false });
  try {
    const runs = await session.api.listRuns();
    if (values.json || !process.stdout.isTTY) {
      process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    } else {
      process.stdout.write(runsTable(runs));
    }
    return 0;
  } finally {
    await session.close();
  }
}
