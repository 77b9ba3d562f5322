/**
 * The Slurm commands the workbench calls: sbatch to submit, scancel to stop, scontrol (or sacct, where
 * the cluster keeps accounting) to see a job's state, sinfo to see whether there is a cluster. No daemon
 * of our own and no connection to the nodes: the user's Slurm is the whole interface.
 */
import { execFile } from 'node:child_process';
import type { SlurmAvailability } from '../../../domain';

/** What Slurm says of one job (one task of an array job). */
export interface SlurmJobState {
  /** "1234" or "1234_5". */
  jobId: string;
  state: string;
  node: string | null;
  reason: string | null;
  /** "code:signal", e.g. "0:9" for a process killed by SIGKILL. */
  exitCode: string | null;
}

export class SlurmCommandError extends Error {}

function run(command: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(
            new SlurmCommandError(
              `${command} is not installed here (no Slurm client on this machine's PATH)`,
            ),
          );
        } else {
          // Slurm's tools start their messages with their own name ("sbatch: error: …"): said once.
          const last = stderr.trim().split('\n').pop() || error.message;
          reject(new SlurmCommandError(`${command}: ${last.replace(new RegExp(`^${command}:\\s*`), '')}`));
        }
      } else resolve(stdout);
    });
  });
}

/** Submits a batch script; resolves with the job's id (the array's id for an array job). */
export async function sbatch(scriptPath: string): Promise<string> {
  // --parsable prints "jobid" or "jobid;cluster".
  const out = await run('sbatch', ['--parsable', scriptPath]);
  const id = out.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch printed no job id: ${out.trim()}`);
  return id;
}

/** Cancels jobs (or tasks of array jobs): Slurm sends SIGTERM, then SIGKILL after its KillWait. */
export async function scancel(jobIds: string[]): Promise<void> {
  if (jobIds.length) await run('scancel', jobIds);
}

/** Whether there is a cluster to submit to, and its partitions. */
export async function slurmAvailability(): Promise<SlurmAvailability> {
  try {
    const out = await run('sinfo', ['-h', '-o', '%P'], 10_000);
    const partitions = out
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (partitions.length === 0) return { available: false, reason: 'sinfo lists no partition', partitions };
    return { available: true, reason: null, partitions };
  } catch (e) {
    return { available: false, reason: (e as Error).message, partitions: [] };
  }
}

/** Expands an array's task list as scontrol prints it: "0-7", "2,4-5", "0-7%2" (at most 2 at once). */
export function expandTaskIds(spec: string): number[] {
  const ids: number[] = [];
  for (const part of spec.split('%')[0]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const last = b !== undefined && Number.isInteger(b) ? b : a;
    for (let i = a; i <= last; i++) ids.push(i);
  }
  return ids;
}

const field = (line: string, name: string): string | null => {
  const m = new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line);
  return m ? m[1]! : null;
};

// sacct writes "None assigned" in the NodeList of a job that never ran.
const orNull = (v: string | null) =>
  v === null || v === '' || v === '(null)' || v === 'None' || v === 'None assigned' ? null : v;

/**
 * Parses `scontrol show job -o`: one line per job, or per array task once it has left the pending
 * array record (whose ArrayTaskId is a range of the tasks still waiting).
 */
export function parseScontrol(out: string): SlurmJobState[] {
  const states: SlurmJobState[] = [];
  for (const line of out.split('\n')) {
    const jobId = field(line, 'JobId');
    if (!jobId) continue;
    const arrayJob = field(line, 'ArrayJobId');
    const tasks = field(line, 'ArrayTaskId');
    const common = {
      state: field(line, 'JobState') ?? '',
      node: orNull(field(line, 'BatchHost')) ?? orNull(field(line, 'NodeList')),
      reason: orNull(field(line, 'Reason')),
      exitCode: orNull(field(line, 'ExitCode')),
    };
    if (arrayJob && tasks)
      for (const t of expandTaskIds(tasks)) states.push({ jobId: `${arrayJob}_${t}`, ...common });
    else states.push({ jobId, ...common });
  }
  return states;
}

/** Parses `sacct -n -P -X -o JobID,State,NodeList,Reason,ExitCode`. */
export function parseSacct(out: string): SlurmJobState[] {
  const states: SlurmJobState[] = [];
  for (const line of out.split('\n')) {
    const [jobId, state, node, reason, exitCode] = line.split('|');
    if (!jobId || !state) continue;
    const array = /^(\d+)_\[(.+)\]$/.exec(jobId);
    const common = {
      state,
      node: orNull(node ?? null),
      reason: orNull(reason ?? null),
      exitCode: orNull(exitCode ?? null),
    };
    if (array)
      for (const t of expandTaskIds(array[2]!)) states.push({ jobId: `${array[1]}_${t}`, ...common });
    else states.push({ jobId, ...common });
  }
  return states;
}

/**
 * What Slurm says of the jobs (ids as "1234" or "1234_5"): scontrol while the controller remembers them
 * (MinJobAge after they end), sacct after that where the cluster keeps accounting. A job neither knows is
 * absent from the result. When Slurm cannot be asked (no client on the PATH, the controller not
 * answering) this throws: a job is taken for forgotten only when scontrol says its id is invalid.
 */
export async function queryJobs(jobIds: string[]): Promise<Map<string, SlurmJobState>> {
  const found = new Map<string, SlurmJobState>();
  const bases = [...new Set(jobIds.map((id) => id.split('_')[0]!))];
  const forgotten: string[] = [];
  for (const base of bases) {
    try {
      for (const s of parseScontrol(await run('scontrol', ['show', 'job', '-o', base])))
        found.set(s.jobId, s);
    } catch (e) {
      if (!/invalid job id/i.test((e as Error).message)) throw e;
      forgotten.push(base);
    }
  }
  if (forgotten.length) {
    try {
      const out = await run('sacct', [
        '-n',
        '-P',
        '-X',
        '-j',
        forgotten.join(','),
        '-o',
        'JobID,State,NodeList,Reason,ExitCode',
      ]);
      for (const s of parseSacct(out)) found.set(s.jobId, s);
    } catch {
      // No accounting on this cluster: those jobs are unknown.
    }
  }
  return new Map(jobIds.filter((id) => found.has(id)).map((id) => [id, found.get(id)!]));
}
