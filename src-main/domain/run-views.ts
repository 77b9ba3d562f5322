/**
 * Saved views of the runs table: which columns it shows, its filters, its sort and its grouping, under a
 * name. Kept in the settings (Settings.runViews), so every window and the browser mode share them.
 */

/** What the table's rows are grouped by, under a header with their count ('none': one list). */
export const runGroupings = ['none', 'method', 'dataset', 'tag'] as const;
export type RunGrouping = (typeof runGroupings)[number];

/** Limits a saved view is held to: enough for any table, small enough to keep the settings small. */
export const runViewLimits = { views: 50, name: 80, columns: 200, filters: 50, filter: 200 } as const;

export interface SavedRunView {
  name: string;
  /**
   * The columns shown, in order: `id`, `name`, `status`, `method`, `dataset`, `finetune`, `duration`,
   * `created`, a config field as `config.<key>`, a metric as `metric.<key>`.
   */
  columns: string[];
  /** The filters as typed (`lr > 0.1`, `method = simclr`), each one a chip. */
  filters: string[];
  sort: { column: string; descending: boolean };
  groupBy: RunGrouping;
  /** Whether runs that differ only in their seed fold into one row. */
  groupSeeds: boolean;
}
