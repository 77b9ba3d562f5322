import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatabasePath } from '../../engine/store/location';
import { openApi } from '../open-api';
import { UsageError } from '../errors';
import { RunFollower } from '../follow-run';
import { backendPreferences, type BackendPreference } from '../../domain';
import { datasetFlags, datasetHelp, datasetSpecFromFlags } from '../dataset-flags';
import { applySetFlags } from '../config-values';
import { executorFlags, executorFromFlags, executorHelp, slurmOverridesFromFlags } from '../slurm-flags';

const help = `usage: contrastlab train --method ID [options]

  --method ID            method to train (see \`contrastlab methods\`)
${datasetHelp('synthetic, built in')}  --epochs N             passes over the training split
  --batch-size N         images per step
  --backbone ID          convnet, resnet18, resnet50 or vit_tiny
  --width N              channels of the backbone's first stage
  --set key=value        any config field of the method; repeatable
  --config FILE          JSON object of config fields (flags and --set override it)
  --name TEXT            run name
  --tag TEXT             tag the run; repeatable
  --seed N               random seed
  --backend NAME         ${backendPreferences.join(', ')} (default auto)
${executorHelp}  --no-wait              slurm: submit and exit (the workbench or \`contrastlab sync\` reads the run in)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB)
  --json                 one JSON event per line on stdout instead of a progress bar
`;

/**
 * `--seed -1` as `--seed=-1`: parseArgs takes a value starting with a dash for a forgotten value and
 * explains so in three lines; a negative number is a value, which the method's schema then judges.
 */
export function joinNegativeValues(argv: string[], valued: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (valued.has(arg) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Refuses a database `train` could not write to (a read-only file, folder or mount), in one line and
 * before anything is done: SQLite would open it read-only and fail at the first write.
 */
function checkWritable(file: string): void {
  if (file === ':memory:') return;
  const paths = fs.existsSync(file) ? [file] : [];
  // The journal files are made beside the database when it opens.
  if (!fs.existsSync(`${file}-wal`) || !fs.existsSync(`${file}-shm`)) {
    let folder = path.dirname(path.resolve(file));
    while (!fs.existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
    paths.push(folder);
  }
  for (const p of paths) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') continue;
      throw new UsageError(
        `the database ${file} is read-only (${code}${p === file ? '' : ` on ${p}`}); train records the run in it`,
      );
    }
  }
}

function integer(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${raw}"`);
  return n;
}

const options = {
  method: { type: 'string' },
  ...datasetFlags,
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  backbone: { type: 'string' },
  width: { type: 'string' },
  set: { type: 'string', multiple: true },
  config: { type: 'string' },
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  seed: { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  ...executorFlags,
  'no-wait': { type: 'boolean' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const valued = new Set(
  Object.entries(options)
    .filter(([, o]) => o.type === 'string')
    .map(([name]) => `--${name}`),
);

/**
 * `train`: validates the request, records the run and trains it in a worker process, showing progress.
 * Exit code 0 only for a completed run; Ctrl-C, SIGTERM and SIGHUP stop the run cleanly (status
 * `stopped`, with its stop checkpoint); a second signal stops it at once.
 */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: joinNegativeValues(argv, valued), options });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (!values.method) throw new UsageError('--method is required (see `contrastlab methods`)');
  const dataset = datasetSpecFromFlags(values, 'synthetic');
  if (!(backendPreferences as readonly string[]).includes(values.backend!)) {
    throw new UsageError(`unknown backend "${values.backend}"; backends: ${backendPreferences.join(', ')}`);
  }

  let config: Record<string, unknown> = {};
  if (values.config) {
    try {
      config = JSON.parse(fs.readFileSync(values.config, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read config file ${values.config}: ${(e as Error).message}`);
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) {
      throw new UsageError(`config file ${values.config} must hold a JSON object of config fields`);
    }
  }
  const flags: Record<string, unknown> = {
    epochs: integer('--epochs', values.epochs),
    batchSize: integer('--batch-size', values['batch-size']),
    backbone: values.backbone,
    width: integer('--width', values.width),
    seed: integer('--seed', values.seed),
  };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) config[k] = v;
  applySetFlags(config, values.set ?? []);

  const executor = executorFromFlags(values);
  const slurm = slurmOverridesFromFlags(values, executor);
  if (values['no-wait'] && executor !== 'slurm') {
    throw new UsageError('--no-wait leaves a Slurm run to the cluster; a local run trains in this process');
  }
  checkWritable(values.db ?? defaultDatabasePath());
  const { api, close } = openApi(values.db);
  const follower = new RunFollower(api, values.json ?? false);
  try {
    const run = await api.createRun({
      method: values.method,
      dataset,
      config,
      name: values.name,
      tags: values.tag,
      backend: values.backend as BackendPreference,
      executor,
      slurm,
    });
    if (values['no-wait']) {
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ event: 'run-created', run })}\n`
          : `run ${run.id} submitted as Slurm job ${run.slurm?.jobId ?? '?'}\n`,
      );
      return 0;
    }
    return await follower.follow(run);
  } finally {
    follower.dispose();
    await close();
  }
}
