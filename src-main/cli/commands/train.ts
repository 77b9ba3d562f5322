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
import { fieldFlags, fieldFlagsHelp, fieldOptions, fieldValues, type FieldFlag } from '../method-flags';

/** A method's description and its config fields as flags. */
interface MethodFlags {
  id: string;
  title: string;
  idea: string;
  fields: FieldFlag[];
}

/**
 * `train --help`, and with a method (`train --method simclr --help`) every field of its config as a flag,
 * as the run form shows them; without one, the fields every method has.
 */
function trainHelp(method: MethodFlags | null): string {
  const common = `  --method ID            method to train (see \`contrastlab methods\`)
${datasetHelp('synthetic, built in')}  --set key=value        any config field of the method; repeatable
  --config FILE          JSON object of config fields (flags and --set override it)
  --name TEXT            run name
  --tag TEXT             tag the run; repeatable
  --backend NAME         ${backendPreferences.join(', ')} (default auto)
${executorHelp}  --no-wait              slurm: submit and exit (the workbench or \`contrastlab sync\` reads the run in)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB)
  --json                 one JSON event per line on stdout instead of a progress bar
`;
  if (!method) {
    return `usage: contrastlab train --method ID [options]

${common}  --epochs N             passes over the training split
  --batch-size N         images per step
  --backbone ID          convnet, resnet18, resnet50 or vit_tiny
  --width N              channels of the backbone's first stage
  --seed N               random seed

  Every field of a method's config is a flag: \`contrastlab train --method ID --help\` lists them with
  their defaults (the paper's) and what they do, e.g. \`train --method simclr --help\`.
`;
  }
  return `usage: contrastlab train --method ${method.id} [options]

  ${method.title}: ${method.idea}

${method.title}'s settings, the run form's fields with the paper's defaults (each also under its config
name, e.g. --batchSize; --set key=value and --config set them too):
${fieldFlagsHelp(method.fields)}
The run:
${common}`;
}

/**
 * The method named by `--method ID` or `--method=ID`, read before the method's own flags are known; the
 * last one, as parseArgs takes it.
 */
export function methodArgument(argv: readonly string[]): string | undefined {
  let method: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--method') method = argv[++i];
    else if (arg.startsWith('--method=')) method = arg.slice('--method='.length);
  }
  return method;
}

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

/** The options that are not config fields. The method's fields are added once the method is known. */
const baseOptions = {
  method: { type: 'string' },
  ...datasetFlags,
  set: { type: 'string', multiple: true },
  config: { type: 'string' },
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  backend: { type: 'string', default: 'auto' },
  ...executorFlags,
  'no-wait': { type: 'boolean' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The method's fields as flags, or null for a method that does not exist (the engine refuses it once the
 * database is open, as for any invalid request). Loads the methods, and with them TensorFlow.js.
 */
async function methodFlags(id: string): Promise<MethodFlags | null> {
  const { methods, describeMethod } = await import('../../engine/methods');
  const method = methods.find((m) => m.id === id);
  if (!method) return null;
  const info = describeMethod(method);
  const taken = new Set(Object.keys(baseOptions));
  return { id: info.id, title: info.title, idea: info.idea, fields: fieldFlags(info.config, taken) };
}

/** Without a method, the fields every method has keep their flags (for `--help` and `--method` errors). */
const sharedFieldOptions = {
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  backbone: { type: 'string' },
  width: { type: 'string' },
  seed: { type: 'string' },
} as const;

/**
 * `train`: validates the request, records the run and trains it in a worker process, showing progress.
 * Exit code 0 only for a completed run; Ctrl-C, SIGTERM and SIGHUP stop the run cleanly (status
 * `stopped`, with its stop checkpoint); a second signal stops it at once.
 */
export async function trainCommand(argv: string[]): Promise<number> {
  const methodId = methodArgument(argv);
  const method = methodId ? await methodFlags(methodId) : null;
  const fields = method?.fields ?? [];
  const options = { ...baseOptions, ...(method ? fieldOptions(fields) : sharedFieldOptions) };
  const valued = new Set(
    Object.entries(options)
      .filter(([, o]) => o.type === 'string')
      .map(([name]) => `--${name}`),
  );
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof baseOptions }>>;
  try {
    // Typed as the base options; the fields' values are read by key (fieldValues).
    parsed = parseArgs({ args: joinNegativeValues(argv, valued), options: options as typeof baseOptions });
  } catch (e) {
    // A setting of a method that does not exist: the method is the problem.
    if (methodId && !method && (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const { getMethod } = await import('../../engine/methods');
      getMethod(methodId);
    }
    throw e;
  }
  const values = parsed.values;
  if (values.help) {
    process.stdout.write(trainHelp(method));
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
  Object.assign(config, fieldValues(fields, values as Record<string, unknown>));
  applySetFlags(config, values.set ?? []);

  const executor = executorFromFlags(values);
  const slurm = slurmOverridesFromFlags(values, executor);
  if (values['no-wait'] && executor !== 'slurm') {
    throw new UsageError('--no-wait leaves a Slurm run to the cluster; a local run trains in this process');
  }
  checkWritable(values.db ?? defaultDatabasePath());
  const { api, close } = await openApi(values.db);
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
