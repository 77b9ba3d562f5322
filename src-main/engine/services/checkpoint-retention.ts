import fs from 'node:fs';
import type { Store } from '../store/store';

/**
 * Keeps a run's step-0 checkpoint (the linear probe's baseline) and its latest `keep` others, deleting
 * older ones, record and file; `keep` 0 keeps all. A checkpoint a probe job is still reading is kept
 * until a later call. Returns the steps deleted.
 */
export function pruneCheckpoints(store: Store, runId: number, keep: number): number[] {
  if (keep <= 0) return [];
  const inUse = new Set(
    store.jobs
      .list(runId)
      .filter((j) => j.status === 'queued' || j.status === 'running')
      .map((j) => j.checkpointId),
  );
  const candidates = store.checkpoints.list(runId).filter((c) => c.step > 0);
  const old = candidates.slice(0, Math.max(0, candidates.length - keep)).filter((c) => !inUse.has(c.id));
  // Records first, in one transaction (a retried report never finds half of them gone), then files.
  store.transaction(() => old.forEach((c) => store.checkpoints.delete(c.id)));
  for (const c of old) fs.rmSync(c.path, { force: true });
  return old.map((c) => c.step);
}
