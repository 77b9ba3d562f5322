/**
 * Linear warm-up then cosine decay to zero without restarts (Goyal et al. 2017; Loshchilov & Hutter
 * 2017), the schedule SimCLR, MoCo v2, BYOL and most later methods use. `step` counts from 0.
 */
export function warmupCosine(step: number, totalSteps: number, warmupSteps: number, peak: number): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}

/** A cosine ramp from `start` to `end` over training (BYOL's target decay τ, DINO's teacher momentum). */
export function cosineRamp(step: number, totalSteps: number, start: number, end: number): number {
  const progress = Math.min(1, step / Math.max(1, totalSteps));
  return end - (end - start) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * The shape of a learning-rate schedule after the warm-up: a half cosine to zero, or MoCo v1's step
 * decay, the rate multiplied by `factor` at each milestone (a fraction of the run).
 */
export type LrSchedule = { kind: 'cosine' } | { kind: 'step'; milestones: readonly number[]; factor: number };

export const cosineSchedule: LrSchedule = { kind: 'cosine' };

/**
 * MoCo v1's schedule (He et al. 2020, Sec. 4.1; released `main_moco.py`, `--schedule 120 160` of 200
 * epochs): the rate × 0.1 at 60% and again at 80% of the run.
 */
export const mocoStepSchedule: LrSchedule = { kind: 'step', milestones: [0.6, 0.8], factor: 0.1 };

/**
 * Linear warm-up then step decay: `peak` × factor^(milestones passed), a milestone m passed at
 * step ≥ m·totalSteps.
 */
export function warmupStep(
  step: number,
  totalSteps: number,
  warmupSteps: number,
  peak: number,
  milestones: readonly number[],
  factor: number,
): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const passed = milestones.filter((m) => step >= m * totalSteps).length;
  return peak * factor ** passed;
}

/** The learning rate of `step` under `schedule`, after a linear warm-up of `warmupSteps`. */
export function learningRateAt(
  schedule: LrSchedule,
  step: number,
  totalSteps: number,
  warmupSteps: number,
  peak: number,
): number {
  switch (schedule.kind) {
    case 'cosine':
      return warmupCosine(step, totalSteps, warmupSteps, peak);
    case 'step':
      return warmupStep(step, totalSteps, warmupSteps, peak, schedule.milestones, schedule.factor);
  }
}
