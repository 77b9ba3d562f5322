import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { waitForRun } from '../../api/wait';
import { openApi } from '../open-api';
import { UsageError } from '../errors';
import { ProgressLine } from '../progress';
import { backendPreferences, datasetIds, type BackendPreference, type DatasetId } from '../../domain';
import type { EngineEvent } from '../../api/events';

const help = `usage: contrastlab train --method ID [options]

  --method ID            method to train (see \`contrastlab methods\`)
  --dataset NAME         synthetic (built in, default) or cifar10
  --data-dir DIR         folder of the dataset's files (cifar10: the cifar-10-batches-bin folder)
  --epochs N             passes over the training split
  --batch-size N         images per step
  --backbone ID          convnet or resnet18
  --width N              channels of the backbone's first stage
  --set key=value        any config field of the method; repeatable
  --config FILE          JSON object of config fields (flags and --set override it)
  --name TEXT            run name
  --tag TEXT             tag the run; repeatable
  --seed N               random seed
  --backend NAME         ${backendPreferences.join(', ')} (default auto)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB)
  --json                 one JSON event per line on stdout instead of a progress bar
`;

/** A --set value: JSON where it parses (numbers, booleans, arrays), else the raw string. */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function integer(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${raw}"`);
  return n;
}

/**
 * `train`: validates the request, records the run and trains it in a worker process, showing progress.
 * Exit code 0 only for a completed run; Ctrl-C stops the run cleanly (status `stopped`).
 */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      method: { type: 'string' },
      dataset: { type: 'string', default: 'synthetic' },
      'data-dir': { type: 'string' },
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
      db: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (!values.method) throw new UsageError('--method is required (see `contrastlab methods`)');
  if (!(datasetIds as readonly string[]).includes(values.dataset!)) {
    throw new UsageError(`unknown dataset "${values.dataset}"; datasets: ${datasetIds.join(', ')}`);
  }
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
  for (const pair of values.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${pair}"`);
    config[pair.slice(0, eq).trim()] = parseValue(pair.slice(eq + 1).trim());
  }

  const json = values.json ?? false;
  const { api, close } = openApi(values.db);
  const print = (e: EngineEvent | Record<string, unknown>) => process.stdout.write(JSON.stringify(e) + '\n');
  const bar = !json && process.stderr.isTTY ? new ProgressLine(process.stderr) : null;

  try {
    const run = await api.createRun({
      method: values.method,
      dataset: {
        id: values.dataset as DatasetId,
        dataDir: values['data-dir'] && path.resolve(values['data-dir']),
      },
      config,
      name: values.name,
      tags: values.tag,
      backend: values.backend as BackendPreference,
    });
    const off = api.onEvent((e) => {
      if ('run' in e && e.run.id !== run.id) return;
      if (json) print(e);
      else if (e.event === 'progress') bar?.update(e.progress);
      else if (e.event === 'log') {
        if (bar) bar.message(e.line.message);
        else process.stderr.write(`${e.line.message}\n`);
      }
    });
    if (json) print({ event: 'run-created', run });

    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts === 1) {
        bar?.message('stopping after the current step… (Ctrl-C again to abort at once)');
        void api.stopRun(run.id);
      } else void api.stopRun(run.id, true);
    };
    process.on('SIGINT', onSigint);
    const final = await waitForRun(api, run.id);
    process.off('SIGINT', onSigint);
    off();
    bar?.end();
    if (json) print({ event: 'finished', runId: final.id, status: final.status, error: final.error });
    else {
      const knn = final.summary.knn_top1;
      process.stderr.write(
        `run ${final.id} "${final.name}" ${final.status}` +
          (knn != null ? `, kNN top-1 ${(100 * knn).toFixed(2)}%` : '') +
          (final.error ? `: ${final.error}` : '') +
          '\n',
      );
    }
    return final.status === 'completed' ? 0 : final.status === 'stopped' ? 130 : 1;
  } finally {
    await close();
  }
}
