import { parseArgs } from 'node:util';
import { openApi } from '../open-api';

const help = `usage: contrastlab runs [--db FILE] [--json]

  Lists every run in a database: id, status, method, name and kNN top-1 on a terminal; as JSON (each
  run with its config, dataset, times, error and last metric values) with --json or when piped.

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
  const session = openApi(values.db, { create: false });
  try {
    const runs = await session.api.listRuns();
    if (values.json || !process.stdout.isTTY) {
      process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    } else {
      for (const r of runs) {
        const knn = r.summary.knn_top1 != null ? `kNN ${(100 * r.summary.knn_top1).toFixed(1)}%` : '';
        process.stdout.write(
          `${String(r.id).padStart(4)}  ${r.status.padEnd(11)} ${r.method.padEnd(10)} ${r.name}  ${knn}\n`,
        );
      }
    }
    return 0;
  } finally {
    await session.close();
  }
}
