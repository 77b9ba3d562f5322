/**
 * The method × dataset summary: per cell, the best result among runs measured alike (domain/comparability.ts).
 * Each dataset's column is held to one way of measuring, the one most of its runs share, so the cells of a
 * column can be read against each other; a cell whose runs were all measured otherwise still shows its best,
 * with what differs.
 */
import {
  comparability,
  comparableGroups,
  type EvaluationCard,
  type IncomparabilityReason,
} from '../../../src-main/domain';

/** One run's result for the chosen metric. */
export interface SummaryItem {
  runId: number;
  method: string;
  dataset: string;
  value: number;
  card: EvaluationCard;
}

export interface SummaryCell {
  method: string;
  dataset: string;
  /** The best run of the cell: among those measured like its column, else among all of the cell's. */
  best: SummaryItem;
  /** Runs of the cell with the metric. */
  n: number;
  /** Of those, runs measured like the column. */
  comparable: number;
  /** How the cell's best differs from the column's measurement; empty when it is measured alike. */
  reasons: IncomparabilityReason[];
  /** The best of its column (of two or more cells measured alike). */
  bestInColumn: boolean;
}

export interface RunsSummary {
  methods: string[];
  datasets: string[];
  /** By `cellKey(method, dataset)`. */
  cells: Map<string, SummaryCell>;
}

export const cellKey = (method: string, dataset: string) => `${method}\u0000${dataset}`;

function better(a: number, b: number, higherIsBetter: boolean): boolean {
  return higherIsBetter ? a > b : a < b;
}

function bestOf(items: readonly SummaryItem[], higherIsBetter: boolean): SummaryItem {
  return items.reduce((best, item) => (better(item.value, best.value, higherIsBetter) ? item : best));
}

/**
 * The column's way of measuring: the comparable group with the most runs; among equal groups, the one
 * with the newest run.
 */
function columnGroup(items: readonly SummaryItem[]): { groups: number[]; chosen: number } {
  const groups = comparableGroups(items.map((i) => i.card)) as number[];
  const size = new Map<number, number>();
  const newest = new Map<number, number>();
  groups.forEach((g, i) => {
    size.set(g, (size.get(g) ?? 0) + 1);
    newest.set(g, Math.max(newest.get(g) ?? -Infinity, items[i]!.runId));
  });
  let chosen = 0;
  for (const g of size.keys()) {
    const bigger = size.get(g)! > size.get(chosen)!;
    const tie = size.get(g) === size.get(chosen) && newest.get(g)! > newest.get(chosen)!;
    if (bigger || tie) chosen = g;
  }
  return { groups, chosen };
}

export function runsSummary(items: readonly SummaryItem[], higherIsBetter = true): RunsSummary {
  const methods = [...new Set(items.map((i) => i.method))].sort();
  const datasets = [...new Set(items.map((i) => i.dataset))].sort();
  const cells = new Map<string, SummaryCell>();
  for (const dataset of datasets) {
    const column = items.filter((i) => i.dataset === dataset);
    const { groups, chosen } = columnGroup(column);
    const head = column[groups.indexOf(chosen)]!;
    const inColumn: SummaryCell[] = [];
    for (const method of methods) {
      const mine = column.filter((i) => i.method === method);
      if (!mine.length) continue;
      const alike = mine.filter((i) => groups[column.indexOf(i)] === chosen);
      const best = bestOf(alike.length ? alike : mine, higherIsBetter);
      const cell: SummaryCell = {
        method,
        dataset,
        best,
        n: mine.length,
        comparable: alike.length,
        reasons: alike.length ? [] : comparability(head.card, best.card).reasons,
        bestInColumn: false,
      };
      cells.set(cellKey(method, dataset), cell);
      inColumn.push(cell);
    }
    const alikeCells = inColumn.filter((c) => c.reasons.length === 0);
    if (alikeCells.length >= 2) {
      const top = alikeCells.reduce((a, c) => (better(c.best.value, a.best.value, higherIsBetter) ? c : a));
      for (const c of alikeCells) c.bestInColumn = c.best.value === top.best.value;
    }
  }
  return { methods, datasets, cells };
}
