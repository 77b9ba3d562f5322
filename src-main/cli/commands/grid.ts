import { parseArgs } from 'node:util';
import { waitForRun } from '../../api/wait';
import type { ContrastLabApi } from '../../api/commands';
import {
  gridCellMetric,
  labelShareAxis,
  labelShares,
  meanStd,
  type Grid,
  type GridAxis,
  type Job,
  type Run,
} from '../../domain';
import { applySetFlags, parseValue } from '../config-values';
import { datasetFlags, datasetHelp, datasetSpecFromFlags } from '../dataset-flags';
import { UsageError } from '../errors';
import { openApi } from '../open-api';
import { positiveInteger } from '../positive-integer';
import { executorFlags, executorFromFlags, executorHelp, slurmOverridesFromFlags } from '../slurm-flags';
import { joinNegativeValues } from './train';

const help = `usage: contrastlab grid --method ID --axis key=v1,v2 [--axis key=v1,v2] [options]

  Trains one run per combination of the axes' values and per seed: a one- or two-axis sweep whose cells
  show the mean ± std of a metric across seeds (the Grids view's heatmap). On Slurm the grid is one
  array job (--executor slurm); locally its runs train here, a few at a time (Settings).

  --method ID            method to train (see \`contrastlab methods\`)
  --axis key=v1,v2       a config field and its values (one or two axes; up to 8 values each);
                         --axis ${labelShareAxis}=1,10,100 fine-tunes each run at these shares of the labels
                         once it has trained (cells along it share their runs, and show finetune_top1)
  --seeds N              runs per cell, with seeds seed, seed+1, … (1–10; default 1)
  --set key=value        a config field every run shares; repeatable
  --metric KEY           the metric the cells show (default knn_top1, or probe_top1 with linearProbe on;
                         finetune_top1 or finetune_top5 with a ${labelShareAxis} axis)
  --fine-tune-epochs N   with a ${labelShareAxis} axis: epochs of each fine-tune (default: 60 below 10%
                         of the labels, else 30)
  --name TEXT            grid name
${datasetHelp('synthetic, built in')}${executorHelp}  --wait                 slurm: wait for every run to end (local grids always train in this process)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB)
  --json                 the grid (and with --wait its cells) as JSON on stdout

  Exit code 0 when every run completed (or, without --wait, was submitted), 1 otherwise.
`;

const options = {
  method: { type: 'string' },
  axis: { type: 'string', multiple: true },
  seeds: { type: 'string' },
  set: { type: 'string', multiple: true },
  metric: { type: 'string' },
  'fine-tune-epochs': { type: 'string' },
  name: { type: 'string' },
  ...datasetFlags,
  ...executorFlags,
  wait: { type: 'boolean' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const valued = new Set(
  Object.entries(options)
    .filter(([, o]) => o.type === 'string')
    .map(([name]) => `--${name}`),
);

/** `--axis lr=0.1,0.3`: the field and its values, each parsed as JSON where it can be. */
export function parseAxis(raw: string): GridAxis {
  const eq = raw.indexOf('=');
  if (eq <= 0 || eq === raw.length - 1) throw new UsageError(`--axis expects key=v1,v2,…, got "${raw}"`);
  const values = raw
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`--axis ${raw.slice(0, eq)} has an empty value`);
  return {
    field: raw.slice(0, eq).trim(),
    values: values.map((v) => {
      const value = parseValue(v);
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
      throw new UsageError(`--axis values must be numbers, strings or booleans, got ${v}`);
    }),
  };
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** One line per cell: its settings, how many of its runs completed, and the metric's mean ± std. */
export function describeCells(grid: Grid, runs: Map<number, Run>) {
  const cells = [];
  for (const [r, row] of grid.runIds.entries()) {
    for (const [c, ids] of row.entries()) {
      const setting = {
        [grid.rows.field]: grid.rows.values[r],
        ...(grid.cols ? { [grid.cols.field]: grid.cols.values[c] } : {}),
      };
      const cellRuns = ids.map((id) => runs.get(id)).filter((run): run is Run => run !== undefined);
      const metric = gridCellMetric(grid, r, c);
      const values = cellRuns.map((run) => run.summary[metric]).filter((v): v is number => v !== undefined);
      cells.push({
        setting,
        runIds: ids,
        completed: cellRuns.filter((run) => run.status === 'completed').length,
        metric,
        value: meanStd(values),
      });
    }
  }
  return cells;
}

/** `grid`: records the grid's runs and starts them; waits for them locally, or on Slurm with --wait. */
export async function gridCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: joinNegativeValues(argv, valued), options });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (!values.method) throw new UsageError('--method is required (see `contrastlab methods`)');
  const axes = (values.axis ?? []).map(parseAxis);
  if (axes.length === 0 || axes.length > 2) {
    throw new UsageError(`a grid has one or two --axis flags, got ${axes.length}`);
  }
  let seeds: number | undefined;
  if (values.seeds !== undefined) {
    seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > 10) {
      throw new UsageError(`--seeds must be a whole number from 1 to 10, got "${values.seeds}"`);
    }
  }
  const config: Record<string, unknown> = {};
  applySetFlags(config, values.set ?? []);
  const executor = executorFromFlags(values);
  const slurm = slurmOverridesFromFlags(values, executor);
  const labelAxis = axes.some((a) => a.field === labelShareAxis);
  const metric =
    values.metric ?? (labelAxis ? 'finetune_top1' : config.linearProbe === true ? 'probe_top1' : 'knn_top1');
  const fineTuneEpochs =
    values['fine-tune-epochs'] === undefined
      ? undefined
      : positiveInteger('--fine-tune-epochs', values['fine-tune-epochs']);
  const wait = executor === 'local' || (values.wait ?? false);

  const { api, close } = await openApi(values.db);
  const stopAll = (grid: Grid | null) => {
    for (const id of grid?.runIds.flat(2) ?? []) api.stopRun(id).catch(() => {});
  };
  let grid: Grid | null = null;
  const onSignal = () => stopAll(grid);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  try {
    grid = await api.createGrid({
      method: values.method,
      dataset: datasetSpecFromFlags(values, 'synthetic'),
      config,
      rows: axes[0]!,
      ...(axes[1] ? { cols: axes[1] } : {}),
      seeds,
      metric,
      ...(fineTuneEpochs !== undefined ? { fineTuneEpochs } : {}),
      name: values.name,
      executor,
      slurm,
    });
    const ids = [...new Set(grid.runIds.flat(2))];
    if (!values.json) {
      const where =
        executor === 'slurm'
          ? `Slurm job ${(await api.getRun(ids[0]!)).slurm?.jobId.split('_')[0] ?? '?'}`
          : 'this machine';
      process.stderr.write(
        `grid ${grid.id} "${grid.name}": ${ids.length === 1 ? `1 run (${ids[0]})` : `${ids.length} runs (${ids[0]}–${ids.at(-1)})`} on ${where}\n`,
      );
    }
    if (!wait) {
      if (values.json) process.stdout.write(`${JSON.stringify({ grid })}\n`);
      return 0;
    }
    const finished = new Map<number, Run>();
    for (const id of ids) {
      const run = await waitForRun(api, id);
      finished.set(id, run);
      if (!values.json)
        process.stderr.write(`  run ${id} ${run.status}${run.error ? `: ${run.error}` : ''}\n`);
    }
    // On a label axis each completed run is fine-tuned at every share (by this engine, as events come).
    let fineTunesFailed = false;
    const created = grid;
    const shareKeys = labelShares(created).map((_, i) => gridCellMetricAt(created, i));
    for (const run of finished.values()) {
      if (run.status !== 'completed' || !labelAxis) continue;
      for (const job of await waitForGridFineTunes(api, run.id, labelShares(created))) {
        if (values.json) continue;
        process.stderr.write(
          `  run ${run.id} fine-tune on ${job.params?.labelPercent}% of the labels ${job.status}` +
            `${job.error ? `: ${job.error}` : ''}\n`,
        );
      }
      const latest = await api.getRun(run.id);
      finished.set(run.id, latest);
      if (shareKeys.some((key) => latest.summary[key] === undefined)) fineTunesFailed = true;
    }
    const cells = describeCells(grid, finished);
    if (values.json) process.stdout.write(`${JSON.stringify({ grid, cells })}\n`);
    else {
      for (const cell of cells) {
        const stat = cell.value;
        const setting = Object.entries(cell.setting)
          .map(([k, v]) => `${k}=${shown(v)}`)
          .join(', ');
        const value = stat ? `${stat.mean.toFixed(4)} ± ${stat.std.toFixed(4)} (n=${stat.n})` : 'no value';
        process.stdout.write(`${setting}\t${cell.metric} ${value}\n`);
      }
    }
    return [...finished.values()].every((r) => r.status === 'completed') && !fineTunesFailed ? 0 : 1;
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
    await close();
  }
}

/** The metric key of the i-th share of a grid's label axis (the key its cells along it show). */
function gridCellMetricAt(grid: Grid, i: number): string {
  return grid.rows.field === labelShareAxis ? gridCellMetric(grid, i, 0) : gridCellMetric(grid, 0, i);
}

/** How long no fine-tune of a run may be under way before the shares still missing are given up. */
const FINE_TUNE_STALL_MS = 10_000;

/**
 * Waits until the run has a fine-tune that ended at each of `shares` (started one after the other by the
 * engine's grid fine-tunes, services/grid-fine-tunes.ts), and answers them. A share the engine refused
 * before a job existed (its line is in the run's log) never gets one: once no fine-tune of the run has
 * been under way for a while, the wait ends without it.
 */
async function waitForGridFineTunes(api: ContrastLabApi, runId: number, shares: number[]): Promise<Job[]> {
  let idleSince = Date.now();
  for (;;) {
    const jobs = (await api.listJobs(runId)).filter((j) => j.kind === 'fine-tune');
    const ended = (j: Job) => j.status === 'completed' || j.status === 'failed';
    // The latest job of each share: a share fine-tuned again (by hand) counts its newest.
    const ofShare = shares.map((share) => jobs.filter((j) => j.params?.labelPercent === share).at(-1));
    if (ofShare.every((j) => j && ended(j))) return ofShare as Job[];
    if (jobs.some((j) => !ended(j))) idleSince = Date.now();
    else if (Date.now() - idleSince > FINE_TUNE_STALL_MS)
      return ofShare.filter((j): j is Job => j !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
