/** Waiting for a run or a job to end, from the API alone (events, then a query for the current state). */
import type { Job, Run } from '../domain';
import { isTerminal } from '../domain';
import type { ContrastLabApi } from './commands';

/** Resolves with the run once it is completed, failed, stopped or interrupted. */
export function waitForRun(api: ContrastLabApi, id: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (run: Run) => {
      if (settled || !isTerminal(run.status)) return;
      settled = true;
      off();
      resolve(run);
    };
    // Subscribed before the query, so an end between the two is not missed.
    const off = api.onEvent((e) => {
      if (e.event === 'run-updated' && e.run.id === id) settle(e.run);
    });
    api.getRun(id).then(settle, (e: unknown) => {
      off();
      reject(e);
    });
  });
}

const jobEnded = (job: Job) => job.status === 'completed' || job.status === 'failed';

/** Resolves with the job once it has completed or failed. */
export function waitForJob(api: ContrastLabApi, job: Job): Promise<Job> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (current: Job | undefined) => {
      if (settled || !current || !jobEnded(current)) return;
      settled = true;
      off();
      resolve(current);
    };
    const off = api.onEvent((e) => {
      if (e.event === 'job-updated' && e.job.id === job.id) settle(e.job);
    });
    api.listJobs(job.runId).then(
      (jobs) => settle(jobs.find((j) => j.id === job.id)),
      (e: unknown) => {
        off();
        reject(e);
      },
    );
  });
}
