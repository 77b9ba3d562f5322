/**
 * What each Slurm job state means for a run. The states are the ones Slurm documents for squeue and
 * scontrol (https://slurm.schedmd.com/squeue.html#SECTION_JOB-STATE-CODES); sacct writes a cancelled
 * job as "CANCELLED by UID", and scontrol adds "+" flags to a job still completing.
 */
import { describe, expect, it } from 'vitest';
import { isTerminal, runStatusOfSlurmState, type RunStatus } from '../../src-main/domain';

/** The documented states (24 with `notEnding`), each with what the documentation says it is and what the run becomes. */
const documented: [state: string, meaning: string, status: RunStatus][] = [
  ['BOOT_FAIL', 'terminated by a launch failure (the node could not boot)', 'failed'],
  ['CANCELLED', 'explicitly cancelled by the user or an administrator', 'stopped'],
  ['COMPLETED', 'all processes ended with exit code zero', 'completed'],
  ['CONFIGURING', 'allocated, waiting for its nodes to be ready', 'running'],
  ['COMPLETING', 'ending; some processes may still be active', 'running'],
  ['DEADLINE', 'terminated on its deadline', 'interrupted'],
  ['FAILED', 'a non-zero exit code or another failure', 'failed'],
  ['NODE_FAIL', 'terminated by the failure of its nodes', 'failed'],
  ['OUT_OF_MEMORY', 'ran out of memory', 'failed'],
  ['PENDING', 'waiting for an allocation', 'queued'],
  ['PREEMPTED', 'terminated by preemption', 'interrupted'],
  ['RUNNING', 'has an allocation and runs', 'running'],
  ['REQUEUE_FED', 'requeued by a federated sibling', 'queued'],
  ['REQUEUE_HOLD', 'requeued, held', 'queued'],
  ['REQUEUED', 'requeued', 'queued'],
  ['RESIZING', 'about to change size', 'running'],
  ['REVOKED', 'removed because a federated sibling started it', 'stopped'],
  ['SIGNALING', 'being signalled', 'running'],
  ['STAGE_OUT', 'staging out files', 'running'],
  ['SUSPENDED', 'has an allocation but is suspended, its CPUs released', 'queued'],
  ['TIMEOUT', 'terminated on reaching its time limit', 'interrupted'],
];

/** Documented states in which the job has not ended: whatever they map to, the run goes on as it was. */
const notEnding: [state: string, meaning: string][] = [
  ['RESV_DEL_HOLD', 'held after its reservation was deleted'],
  ['SPECIAL_EXIT', 'requeued in a special state by an epilog, held'],
  ['STOPPED', 'has an allocation but was stopped with SIGSTOP, its CPUs kept'],
];

describe('runStatusOfSlurmState', () => {
  it.each(documented)('%s (%s) → %s', (state, _meaning, status) => {
    expect(runStatusOfSlurmState(state)).toBe(status);
  });

  it.each(notEnding)('%s (%s) never ends the run', (state) => {
    const status = runStatusOfSlurmState(state);
    expect(status === null || !isTerminal(status)).toBe(true);
  });

  it('reads the state before a suffix or flags: "CANCELLED by 0", "COMPLETING+", "RUNNING+"', () => {
    expect(runStatusOfSlurmState('CANCELLED by 0')).toBe('stopped');
    expect(runStatusOfSlurmState('CANCELLED by 1000')).toBe('stopped');
    expect(runStatusOfSlurmState('COMPLETING+')).toBe('running');
    expect(runStatusOfSlurmState('RUNNING+')).toBe('running');
    expect(runStatusOfSlurmState('COMPLETED+')).toBe('completed');
  });

  it('a state it does not know, or none yet, changes nothing', () => {
    expect(runStatusOfSlurmState('')).toBeNull();
    expect(runStatusOfSlurmState('SOMETHING_NEW')).toBeNull();
  });
});
