import { parseArgs } from 'node:util';
import { openApi } from '../open-api';

const help = `usage: contrastlab sync [--db FILE] [--json]

  Reads the reports Slurm runs wrote into their folders (metric points, logs, checkpoints) into the
  database and asks Slurm how each unfinished job stands: the workbench does this while it is open;
  sync does it once, for a database whose workbench was closed. Reading again never records a point
  twice.

  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 the result as JSON
`;

/** `sync`: one pass over the Slurm runs of a database. */
export async function syncCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const session = await openApi(values.db, { create: false, fineTuneGrids: false });
  try {
    const result = await session.api.syncSlurmRuns();
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const ended = result.ended.map((e) => `run ${e.runId} ${e.status}`).join(', ');
      process.stdout.write(
        `${result.runs} Slurm run(s): ${result.points} new metric point(s)${ended ? `; ended: ${ended}` : ''}\n`,
      );
      if (result.slurmError) {
        process.stderr.write(
          `contrastlab: Slurm did not answer, job states not updated: ${result.slurmError}\n`,
        );
      }
    }
    return 0;
  } finally {
    await session.close();
  }
}
