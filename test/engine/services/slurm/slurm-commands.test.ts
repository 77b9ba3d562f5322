/**
 * Reading Slurm's answers. scontrol's output is captured from the real one-node cluster
 * (scripts/slurm-cluster.sh): tiny `sleep` array jobs, held or released, then cancelled. sacct's is
 * written out here: this cluster keeps no accounting (AccountingStorageType=accounting_storage/none, no
 * slurmdbd), so sacct has nothing to print; the lines follow `sacct -n -P -X -o
 * JobID,State,NodeList,Reason,ExitCode` of a cluster that does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expandTaskIds,
  parseSacct,
  parseScontrol,
  queryJobs,
  type SlurmJobState,
} from '../../../../src-main/engine/services/slurm/slurm-commands';
import { slurmMissing } from '../../../helpers/slurm';

const missing = slurmMissing();
if (missing) console.warn(`skipping the tests that capture scontrol's output: ${missing}`);

const submitted: string[] = [];
afterAll(() => {
  // Already cancelled ones make scancel complain; that is fine.
  if (submitted.length) spawnSync('scancel', submitted);
});

/** Submits a `sleep` job of one CPU per task; held jobs wait until released. */
function submitSleep(args: string[]): string {
  const out = execFileSync(
    'sbatch',
    ['--parsable', '--cpus-per-task=1', '--time=2', '--output=/dev/null', ...args, '--wrap', 'sleep 120'],
    { encoding: 'utf8' },
  );
  const id = out.trim().split(';')[0]!;
  submitted.push(id);
  return id;
}

const scontrol = (jobId: string) =>
  execFileSync('scontrol', ['show', 'job', '-o', jobId], { encoding: 'utf8' });

async function until<T>(what: string, seconds: number, check: () => T | null): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = check();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const byId = (states: SlurmJobState[]) => new Map(states.map((s) => [s.jobId, s]));

describe('expandTaskIds', () => {
  it('expands ranges and lists, and ignores the throttle after %', () => {
    expect(expandTaskIds('0-7')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(expandTaskIds('0-7%2')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(expandTaskIds('2,4-5%2')).toEqual([2, 4, 5]);
    expect(expandTaskIds('3')).toEqual([3]);
    expect(expandTaskIds('1,3,10-12')).toEqual([1, 3, 10, 11, 12]);
  });
});

describe('parseSacct (fixed lines: no accounting on this cluster)', () => {
  it('reads plain jobs, array tasks and a pending array record, suffixes kept in the state', () => {
    const out = [
      '1234|COMPLETED|node01|None|0:0',
      '1235_0|FAILED|node02|NonZeroExitCode|1:0',
      '1235_[1-3%2]|PENDING|None assigned|JobArrayTaskLimit|0:0',
      '1236|CANCELLED by 1000|node01|None|0:15',
      '1237_4|TIMEOUT|gpu[01-02]|TimeLimit|0:0',
      '1238|CANCELLED by 0|None assigned|None|0:0',
      '',
    ].join('\n');
    const states = byId(parseSacct(out));
    expect([...states.keys()]).toEqual([
      '1234',
      '1235_0',
      '1235_1',
      '1235_2',
      '1235_3',
      '1236',
      '1237_4',
      '1238',
    ]);
    expect(states.get('1234')).toEqual({
      jobId: '1234',
      state: 'COMPLETED',
      node: 'node01',
      reason: null,
      exitCode: '0:0',
    });
    expect(states.get('1235_0')).toMatchObject({
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      exitCode: '1:0',
    });
    for (const id of ['1235_1', '1235_2', '1235_3']) {
      // A job that never ran has no node: sacct writes "None assigned" in its NodeList.
      expect(states.get(id)).toEqual({
        jobId: id,
        state: 'PENDING',
        node: null,
        reason: 'JobArrayTaskLimit',
        exitCode: '0:0',
      });
    }
    expect(states.get('1236')).toMatchObject({
      state: 'CANCELLED by 1000',
      node: 'node01',
      exitCode: '0:15',
    });
    expect(states.get('1237_4')).toMatchObject({ state: 'TIMEOUT', node: 'gpu[01-02]' });
    expect(states.get('1238')).toMatchObject({ state: 'CANCELLED by 0', node: null, reason: null });
  });
});

describe.skipIf(missing !== null)("scontrol's output, captured from the real cluster", () => {
  it('a held array 0-7%2 is one pending record, expanded to its 8 tasks', () => {
    const id = submitSleep(['--hold', '--array=0-7%2']);
    const out = scontrol(id);
    // One line: the array's pending record.
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(new RegExp(`JobId=${id} ArrayJobId=${id} ArrayTaskId=0-7%2 `));
    const states = parseScontrol(out);
    expect(states.map((s) => s.jobId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((t) => `${id}_${t}`));
    for (const s of states) {
      expect(s).toEqual({
        jobId: s.jobId,
        state: 'PENDING',
        node: null,
        reason: 'JobHeldUser',
        exitCode: '0:0',
      });
    }
  });

  it('"2,4-5%2" as scontrol prints it expands to tasks 2, 4 and 5', () => {
    const id = submitSleep(['--hold', '--array=2,4-5%2']);
    const out = scontrol(id);
    expect(out).toMatch(/ArrayTaskId=2,4-5%2 /);
    expect(parseScontrol(out).map((s) => s.jobId)).toEqual([`${id}_2`, `${id}_4`, `${id}_5`]);
  });

  it('released, running tasks get a line each with their node; the rest stay in the pending record', async () => {
    const id = submitSleep(['--hold', '--array=0-7%2']);
    execFileSync('scontrol', ['release', id]);
    const node = execFileSync('sinfo', ['-h', '-o', '%N'], { encoding: 'utf8' }).trim();
    // Other tests may hold the node's CPUs for a while: wait until some task runs.
    const out = await until('a task of the array to run', 150, () => {
      const o = scontrol(id);
      return /JobState=RUNNING/.test(o) ? o : null;
    });
    const lines = out.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    const states = parseScontrol(out);
    // Every task exactly once, whichever record it is in.
    expect(states.map((s) => s.jobId).sort()).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((t) => `${id}_${t}`).sort(),
    );
    const running = states.filter((s) => s.state === 'RUNNING');
    expect(running.length).toBeGreaterThanOrEqual(1);
    // The throttle: at most two at once.
    expect(running.length).toBeLessThanOrEqual(2);
    for (const s of running) expect(s).toMatchObject({ node, reason: null, exitCode: '0:0' });
    for (const s of states.filter((x) => x.state !== 'RUNNING')) {
      expect(s).toMatchObject({ state: 'PENDING', node: null });
    }
    // Each running task's line names it by its own job id and its array task id.
    for (const s of running) {
      const task = s.jobId.split('_')[1];
      expect(lines.some((l) => l.includes(`ArrayJobId=${id} ArrayTaskId=${task} `))).toBe(true);
    }

    // Cancelled: every task, running or pending, is CANCELLED.
    execFileSync('scancel', [id]);
    const cancelled = await until('the array to be cancelled', 60, () => {
      const s = parseScontrol(scontrol(id));
      return s.length === 8 && s.every((x) => x.state.startsWith('CANCELLED')) ? s : null;
    });
    const wasRunning = new Set(running.map((s) => s.jobId));
    // A task killed while it ran says by which signal (SIGTERM).
    for (const s of cancelled.filter((x) => wasRunning.has(x.jobId))) expect(s.exitCode).toBe('0:15');
  });

  it('queryJobs: the tasks asked for; a job Slurm never had, or a task its array lacks, is absent', async () => {
    const id = submitSleep(['--hold', '--array=0-3']);
    const plain = submitSleep(['--hold']);
    const found = await queryJobs([`${id}_0`, `${id}_3`, `${id}_9`, plain, '999999999', '999999998_1']);
    expect([...found.keys()].sort()).toEqual([`${id}_0`, `${id}_3`, plain].sort());
    expect(found.get(`${id}_3`)).toMatchObject({ jobId: `${id}_3`, state: 'PENDING', reason: 'JobHeldUser' });
    expect(found.get(plain)).toMatchObject({ jobId: plain, state: 'PENDING', node: null });
    expect(await queryJobs(['999999999'])).toEqual(new Map());
    expect(await queryJobs([])).toEqual(new Map());
  });
});
