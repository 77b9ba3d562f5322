/**
 * Grouping the runs table by method, dataset or tag: a header per value with its runs under it. Pure.
 */
import type { Run, RunGrouping } from '../../../src-main/domain';

export interface RunGroup {
  /** The method, dataset or tag; '' for the runs without a tag. */
  key: string;
  runs: Run[];
}

/**
 * The runs (in their table order) under one header per value, the values A to Z. By tag a run shows
 * under each of its tags, and the untagged ones come last under ''.
 */
export function groupRuns(runs: readonly Run[], by: Exclude<RunGrouping, 'none'>): RunGroup[] {
  const groups = new Map<string, Run[]>();
  const add = (key: string, run: Run) => {
    const list = groups.get(key);
    if (list) list.push(run);
    else groups.set(key, [run]);
  };
  for (const run of runs) {
    if (by === 'method') add(run.method, run);
    else if (by === 'dataset') add(run.dataset.id, run);
    else if (run.tags.length === 0) add('', run);
    else for (const tag of new Set(run.tags)) add(tag, run);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([key, list]) => ({ key, runs: list }));
}
