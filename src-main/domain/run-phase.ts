/**
 * What a run's worker is doing at a progress report: evaluating the random initialisation (step 0, the
 * baseline of every curve), training an epoch, evaluating after one (features, diagnostics, kNN), the
 * final linear probe, or saving a checkpoint.
 */
export const runPhases = ['initial-evaluation', 'training', 'evaluating', 'probing', 'checkpoint'] as const;
export type RunPhase = (typeof runPhases)[number];

/** Each phase in a few English words (the CLI's progress line; the app has its own translations). */
export const runPhaseText: Readonly<Record<RunPhase, string>> = {
  'initial-evaluation': 'evaluating the random initialisation',
  training: 'training',
  evaluating: 'evaluating (kNN)',
  probing: 'final linear probe',
  checkpoint: 'saving a checkpoint',
};
