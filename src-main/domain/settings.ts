/** The workbench's settings, kept in its database. */
export interface Settings {
  /** When the engine host starts, resume the runs that were interrupted (their host died). Off by default. */
  autoResumeInterrupted: boolean;
  /**
   * Checkpoints kept per run besides step 0 (the linear probe's baseline): the latest N; 0 keeps every
   * one. Older ones are deleted, file and record, when a newer one is written.
   */
  keepCheckpoints: number;
}

export const defaultSettings: Settings = { autoResumeInterrupted: false, keepCheckpoints: 0 };
