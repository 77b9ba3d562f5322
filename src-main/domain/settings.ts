/** The workbench's settings, kept in its database. */
import { defaultSlurmProfile, type SlurmProfile } from './executor';
import type { SavedRunView } from './run-views';

export interface Settings {
  /** When the engine host starts, resume the runs that were interrupted (their host died). Off by default. */
  autoResumeInterrupted: boolean;
  /**
   * Checkpoints kept per run besides step 0 (the linear probe's baseline): the latest N; 0 keeps every
   * one. Older ones are deleted, file and record, when a newer one is written.
   */
  keepCheckpoints: number;
  /**
   * Local runs trained at once; the others wait as queued. One by default: each worker already uses
   * every core, so two runs on a laptop only slow each other down.
   */
  maxConcurrentRuns: number;
  /** How runs are submitted to a Slurm cluster. */
  slurm: SlurmProfile;
  /** The runs table's saved views (columns, filters, sort, grouping), in the order they were saved. */
  runViews: SavedRunView[];
}

export const defaultSettings: Settings = {
  autoResumeInterrupted: false,
  keepCheckpoints: 0,
  maxConcurrentRuns: 1,
  slurm: defaultSlurmProfile,
  runViews: [],
};
