import type { CreateGridInput, GridAxis } from '../../domain';
import { ConfigError } from '../../domain';
import { resolveConfig, type RunConfig } from '../methods';
import type { MethodDefinition } from '../methods/method';

/** One cell of a grid: its position, its full config and the name of its run. */
export interface GridCell {
  row: number;
  col: number;
  config: RunConfig;
  name: string;
}

const show = (v: GridAxis['values'][number]) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Checks a grid request and resolves the config of every cell with the method's schema (the shared
 * config, then the row's and the column's value), before anything is recorded: the first bad field or
 * value is one ConfigError naming the cell. Cells come row by row.
 */
export function planGrid(method: MethodDefinition, input: CreateGridInput, name: string): GridCell[] {
  const { rows, cols } = input;
  if (rows.field === cols.field) {
    throw new ConfigError(`a grid needs two different settings; rows and columns both vary "${rows.field}"`);
  }
  for (const [which, axis] of [
    ['rows', rows],
    ['columns', cols],
  ] as const) {
    if (axis.values.length === 0) throw new ConfigError(`the grid's ${which} (${axis.field}) have no values`);
    const seen = new Set(axis.values.map((v) => JSON.stringify(v)));
    if (seen.size !== axis.values.length) {
      throw new ConfigError(`the grid's ${which} (${axis.field}) repeat a value`);
    }
  }
  const cells: GridCell[] = [];
  rows.values.forEach((rv, r) =>
    cols.values.forEach((cv, c) => {
      const label = `${rows.field}=${show(rv)}, ${cols.field}=${show(cv)}`;
      let config: RunConfig;
      try {
        config = resolveConfig(method, { ...input.config, [rows.field]: rv, [cols.field]: cv });
      } catch (e) {
        throw new ConfigError(`grid cell ${label}: ${(e as Error).message}`);
      }
      cells.push({ row: r, col: c, config, name: `${name}: ${label}` });
    }),
  );
  const metric = input.metric ?? 'probe_top1';
  if (metric.startsWith('probe_') && cells.some((cell) => !cell.config.linearProbe)) {
    throw new ConfigError(`the grid shows ${metric}, which needs linearProbe on in every run`);
  }
  return cells;
}
