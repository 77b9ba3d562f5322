import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openApi } from '../open-api';
import { UsageError } from '../errors';

/** `export [--db FILE] [--runs ID,…] --what runs|metrics|histograms --out FILE`: RFC 4180 CSV. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      runs: { type: 'string' },
      what: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.what !== 'runs' && values.what !== 'metrics' && values.what !== 'histograms')
    throw new UsageError('--what must be "runs", "metrics" or "histograms"');
  if (!values.out) throw new UsageError('--out FILE is required');
  const ids = values.runs?.split(',').map((s) => {
    const id = Number(s.trim());
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--runs: "${s}" is not a run id`);
    return id;
  });
  const session = openApi(values.db);
  try {
    const csv = await session.api.exportCsv(values.what, ids);
    fs.writeFileSync(values.out, csv);
    return 0;
  } finally {
    await session.close();
  }
}
