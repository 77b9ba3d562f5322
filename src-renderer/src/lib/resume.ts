/**
 * Resuming runs, as the renderer sees it: which action a run offers, noticing that a run was resumed
 * (by this window, another one or the CLI), and cutting its series back to where it restarts.
 */
import type { Checkpoint, Run, RunResume } from '../../../src-main/domain';
import type { Series } from './series';

/** What a finished run offers: a completed run continues for more epochs, the others resume. */
export type ResumeKind = 'resume' | 'continue';

export function resumeKind(run: Pick<Run, 'status'>): ResumeKind | null {
  switch (run.status) {
    case 'completed':
      return 'continue';
    case 'stopped':
    case 'interrupted':
    case 'failed':
      return 'resume';
    default:
      return null;
  }
}

/** The newest resume of `fresh` when it has more resumes than `known` (a resume happened since). */
export function newResume(
  known: Pick<Run, 'resumes'> | undefined,
  fresh: Pick<Run, 'resumes'>,
): RunResume | null {
  if (!known) return null;
  return fresh.resumes.length > known.resumes.length ? (fresh.resumes.at(-1) ?? null) : null;
}

/**
 * The points of a series up to `step`: the engine deletes what a run recorded after the checkpoint it
 * resumes from. A new object, so charts notice the series changed and redraw it from its start.
 */
export function truncateSeries(s: Series, step: number): Series {
  let n = s.step.length;
  while (n > 0 && s.step[n - 1]! > step) n--;
  return {
    step: s.step.slice(0, n),
    epoch: s.epoch.slice(0, n),
    wall: s.wall.slice(0, n),
    value: s.value.slice(0, n),
  };
}

/** The checkpoint the engine resumes from by default: the latest (highest step). */
export function latestCheckpoint(list: readonly Checkpoint[]): Checkpoint | undefined {
  return list.reduce<Checkpoint | undefined>(
    (best, c) => (!best || c.step > best.step ? c : best),
    undefined,
  );
}
