/**
 * The method × dataset summary: each cell's best among runs measured like its column, a cell measured
 * otherwise flagged with why, and the column's best only among cells measured alike.
 */
import { describe, expect, it } from 'vitest';
import { evaluationCard, type CardRun } from '../../../src-main/domain';
import { cellKey, runsSummary, type SummaryItem } from '../../../src-renderer/src/lib/runs-summary';

let nextId = 1;
/** A kNN top-1 of a one-epoch run on 128 images of `dataset`, with kNN's k = `knnK`. */
function item(method: string, dataset: 'synthetic' | 'mnist', value: number, knnK = 200): SummaryItem {
  const run: CardRun = {
    method,
    dataset: { id: dataset, trainSize: 128, testSize: 64 },
    config: { batchSize: 64, knnK, knnTemperature: 0.1 },
    summarySteps: { knn_top1: 2 },
  };
  return { runId: nextId++, method, dataset, value, card: evaluationCard(run, 'knn_top1') };
}

describe('runsSummary', () => {
  it('keeps per cell the best run measured like its column, and counts the runs', () => {
    const a = item('simclr', 'synthetic', 0.4);
    const b = item('simclr', 'synthetic', 0.5);
    // Higher, but measured with k = 10: not the cell's result while alike runs exist.
    const c = item('simclr', 'synthetic', 0.9, 10);
    const d = item('byol', 'synthetic', 0.45);
    const e = item('byol', 'mnist', 0.7);
    const summary = runsSummary([a, b, c, d, e]);
    expect(summary.methods).toEqual(['byol', 'simclr']);
    expect(summary.datasets).toEqual(['mnist', 'synthetic']);
    const simclr = summary.cells.get(cellKey('simclr', 'synthetic'))!;
    expect(simclr.best.runId).toBe(b.runId);
    expect([simclr.n, simclr.comparable]).toEqual([3, 2]);
    expect(simclr.reasons).toEqual([]);
    expect(simclr.bestInColumn).toBe(true);
    expect(summary.cells.get(cellKey('byol', 'synthetic'))!.bestInColumn).toBe(false);
    // Alone in its column: nothing to be best against.
    expect(summary.cells.get(cellKey('byol', 'mnist'))!.bestInColumn).toBe(false);
    expect(summary.cells.has(cellKey('simclr', 'mnist'))).toBe(false);
  });

  it('shows a cell measured unlike its column with what differs, and never as the best', () => {
    const summary = runsSummary([
      item('simclr', 'synthetic', 0.4),
      item('byol', 'synthetic', 0.5),
      item('dino', 'synthetic', 0.95, 10),
    ]);
    const dino = summary.cells.get(cellKey('dino', 'synthetic'))!;
    expect(dino.best.value).toBe(0.95);
    expect(dino.comparable).toBe(0);
    expect(dino.reasons).toEqual([{ kind: 'knnK', a: 200, b: 10 }]);
    expect(dino.bestInColumn).toBe(false);
    expect(summary.cells.get(cellKey('byol', 'synthetic'))!.bestInColumn).toBe(true);
  });

  it('holds a column to the way most of its runs were measured, the newest on a tie', () => {
    const old = item('simclr', 'synthetic', 0.4, 10);
    const newer = item('byol', 'synthetic', 0.3, 200);
    const summary = runsSummary([old, newer]);
    expect(summary.cells.get(cellKey('byol', 'synthetic'))!.reasons).toEqual([]);
    expect(summary.cells.get(cellKey('simclr', 'synthetic'))!.reasons).toEqual([
      { kind: 'knnK', a: 200, b: 10 },
    ]);
  });
});
