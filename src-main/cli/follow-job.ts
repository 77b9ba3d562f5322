import type { ContrastLabApi } from '../api/commands';
import type { EngineEvent } from '../api/events';
import { waitForJob } from '../api/wait';
import type { Checkpoint, Job } from '../domain';

type JobUpdated = Extract<EngineEvent, { event: 'job-updated' }>;

/**
 * Starts a job of a run with `start` (startFineTune, startTransfer, startDistillation) and follows it to
 * its end: with `json` every job update as a JSON line on stdout, else each new progress message on
 * stderr. The worker reports while the start call waits for it to find its input sound: those reports are
 * held until the job is known, and dropped when the input is refused (one line, nothing else).
 */
export async function followJob(
  api: ContrastLabApi,
  runId: number,
  json: boolean,
  start: () => Promise<Job>,
): Promise<{ done: Job; checkpoint: Checkpoint | undefined }> {
  let lastMessage = '';
  const show = (e: JobUpdated) => {
    const job = e.job;
    if (json) process.stdout.write(JSON.stringify(e) + '\n');
    else if (job.message && job.message !== lastMessage && job.status === 'running') {
      lastMessage = job.message;
      process.stderr.write(`${Math.round(100 * job.progress)}%  ${job.message}\n`);
    }
  };
  let jobId: number | null = null;
  const held: JobUpdated[] = [];
  const off = api.onEvent((e) => {
    if (e.event !== 'job-updated' || e.job.runId !== runId) return;
    if (jobId === null) held.push(e);
    else if (e.job.id === jobId) show(e);
  });
  try {
    const job = await start();
    jobId = job.id;
    for (const e of held) if (e.job.id === job.id) show(e);
    const checkpoint = (await api.listCheckpoints(runId)).find((c) => c.id === job.checkpointId);
    return { done: await waitForJob(api, job), checkpoint };
  } finally {
    off();
  }
}
