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
