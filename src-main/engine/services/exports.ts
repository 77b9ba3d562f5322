import type { CsvExport } from '../../api/commands';
import { ConfigError } from '../../domain';
import { aggregateToCsv, histogramsToCsv, metricsToCsv, runsToCsv } from '../store/csv';
import type { Store } from '../store/store';

/**
 * CSV exports of runs, their metric points, their similarity histograms (never downsampled), and the
 * aggregate of runs that differ only in their seed (one row per configuration).
 */
export class CsvExports {
  constructor(private readonly store: Store) {}

  /** All runs when `runIds` is omitted; an unknown id is one ConfigError naming it. */
  export(what: CsvExport, runIds?: number[]): string {
    const runs = this.store.listRuns(runIds);
    if (runIds) {
      const missing = runIds.filter((id) => !runs.some((r) => r.id === id));
      if (missing.length) throw new ConfigError(`no run with id ${missing.join(', ')}`);
    }
    switch (what) {
      case 'runs':
        return runsToCsv(runs);
      case 'aggregate':
        return aggregateToCsv(runs);
      case 'metrics':
        return metricsToCsv(this.store.metrics(runIds), runs);
      case 'histograms':
        return histogramsToCsv(this.store.histograms.list(runIds), runs);
    }
  }
}
