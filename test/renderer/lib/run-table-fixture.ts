/** Runs for the runs table's tests: two methods, method-specific config, a probe, one stopped early. */
import { runResult, type Run } from '../../../src-main/domain';
import { configKeysOf, metricKeysOf, type SortContext } from '../../../src-renderer/src/lib/run-columns';
import type { FilterFields } from '../../../src-renderer/src/lib/run-filters';

export const run = (id: number, over: Partial<Run>): Run =>
  ({
    id,
    name: `run ${id}`,
    method: 'simclr',
    status: 'completed',
    dataset: { id: 'synthetic' },
    config: {},
    tags: [],
    notes: '',
    createdAt: `2026-12-0${id}T10:00:00Z`,
    startedAt: null,
    endedAt: null,
    summary: {},
    summarySteps: {},
    ...over,
  }) as Run;

/** Three runs: two methods, a BYOL-only config field, a probe on two of them, one stopped early. */
export const runs = [
  run(1, {
    config: { lr: 0.3, batchSize: 64, temperature: 0.5, aug: { crop: 0.2 } },
    summary: { loss: 4.1, knn_top1: 0.31, probe_top1: 0.35 },
    summarySteps: { loss: 62, knn_top1: 62, probe_top1: 62 },
    tags: ['baseline', 'e2e'],
  }),
  run(2, {
    method: 'byol',
    config: { lr: 0.05, batchSize: 128, targetDecay: 0.99 },
    summary: { loss: 0.9, knn_top1: 0.42, cpu_percent: 180 },
    summarySteps: { loss: 62, knn_top1: 62, cpu_percent: 60 },
    tags: ['e2e'],
  }),
  run(3, {
    status: 'stopped',
    dataset: { id: 'cifar10' },
    config: { lr: 0.5, batchSize: 64 },
    // Stopped in its first epoch: its only kNN is of the random initialisation.
    summary: { loss: 5.2, knn_top1: 0.1 },
    summarySteps: { loss: 9, knn_top1: 0 },
  }),
];

export const fields: FilterFields = {
  configKeys: new Set(configKeysOf(runs)),
  metricKeys: new Set(metricKeysOf(runs)),
  isPercent: (key) => key.includes('top'),
};
export const result = (r: Run, key: string) => runResult(r, key);
export const ctx: SortContext = { result, duration: () => null, fineTune: () => null };
export const ids = (list: readonly Run[]) => list.map((r) => r.id);
