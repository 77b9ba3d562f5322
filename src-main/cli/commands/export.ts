import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openApi } from '../open-api';
import { UsageError } from '../errors';

const help = `usage: contrastlab export --what runs|metrics|histograms|aggregate --out FILE [--runs ID,…] [--db FILE]

  Writes CSV (RFC 4180): runs (one row per run: its fields, config.<key>, final.<key>), metrics (every
  metric point in long format), histograms (similarity histograms, one row per run, epoch and bin) or
  aggregate (one row per configuration: runs that differ only in their seed are grouped, with n, their
  seeds and run ids, config.<key> without the seed, and <key>_mean, <key>_std, <key>_n of each final
  metric over the group's completed runs; the std is the sample std, empty for fewer than two values).
  Text cells that start with =, +, -, @, a tab or a carriage return are written with a leading ' so a
  spreadsheet does not run them as formulas; numbers are written as they are.

  --what NAME            runs, metrics, histograms or aggregate
  --out FILE             the CSV file to write, or - for standard output
  --runs ID,…            only these runs (default: every run)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
`;

/** Why `out` could not be written, in words. */
function writeProblem(out: string, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return `the folder ${path.dirname(path.resolve(out))} does not exist`;
    case 'EISDIR':
      return 'it is a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e.message;
  }
}

/** `export [--db FILE] [--runs ID,…] --what runs|metrics|histograms|aggregate --out FILE|-`: RFC 4180 CSV. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      runs: { type: 'string' },
      what: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const { csvExports } = await import('../../api/commands');
  const what = csvExports.find((w) => w === values.what);
  if (!what) throw new UsageError('--what must be "runs", "metrics", "histograms" or "aggregate"');
  if (!values.out) throw new UsageError('--out FILE is required (- for standard output)');
  const out = values.out;
  const ids = values.runs?.split(',').map((s) => {
    const id = Number(s.trim());
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--runs: "${s}" is not a run id`);
    return id;
  });
  const session = await openApi(values.db, { create: false });
  let csv: string;
  try {
    csv = await session.api.exportCsv(what, ids);
  } finally {
    await session.close();
  }
  if (out === '-') {
    process.stdout.write(csv);
    return 0;
  }
  try {
    fs.writeFileSync(out, csv);
  } catch (e) {
    throw new UsageError(`cannot write ${out}: ${writeProblem(out, e as NodeJS.ErrnoException)}`);
  }
  return 0;
}
