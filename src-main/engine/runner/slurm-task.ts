/**
 * A run's worker on a Slurm compute node (`contrastlab slurm-task RUN_DIR`, started by the batch script
 * services/slurm/batch-script.ts writes). It reads the run's start message from `RUN_DIR/start.json`,
 * trains, and appends every report to `RUN_DIR/events.jsonl` (event-file.ts) for the workbench to read
 * in. Slurm's SIGTERM (scancel, the time limit, preemption) stops the run after its current step with a
 * checkpoint, within the cluster's KillWait; the workbench asks Slurm which it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EventFileWriter, eventsFile } from './event-file';
import { runTraining, type StartMessage } from './run-training';

export const startFileName = 'start.json';

export const startFile = (runDir: string) => path.join(runDir, startFileName);

/** Reads a run folder's start message; a missing or unreadable one is one line naming the file. */
export function readStartFile(runDir: string): StartMessage {
  const file = startFile(runDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the run's start file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const start = JSON.parse(text) as StartMessage;
  if (start.type !== 'start') throw new Error(`${file} is not a run's start message`);
  return start;
}

/** Trains the run of `runDir`; resolves with the process's exit code (0 unless the run failed). */
export async function runSlurmTask(runDir: string): Promise<number> {
  const start = readStartFile(runDir);
  const events = new EventFileWriter(eventsFile(runDir));
  let stopRequested = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1'] as const) {
    process.on(signal, () => {
      stopRequested = true;
    });
  }
  const node = process.env.SLURMD_NODENAME ?? '';
  const job = process.env.SLURM_ARRAY_JOB_ID
    ? `${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID}`
    : (process.env.SLURM_JOB_ID ?? '');
  events.append({
    type: 'log',
    line: {
      runId: start.runId,
      time: Date.now() / 1000,
      level: 'info',
      message: `Slurm job ${job || '(none)'} on ${node || 'an unnamed node'}, pid ${process.pid}`,
    },
  });
  // A progress line per step would make the file grow with every step; one a second is live enough.
  const finished = await runTraining(
    start,
    (m) => events.append(m),
    () => stopRequested,
    {
      progressIntervalMs: 1000,
    },
  );
  events.append(finished);
  events.close();
  return finished.status === 'failed' ? 1 : 0;
}
