import { Worker } from 'node:worker_threads';

/** How often the watchdog looks for the host. */
const POLL_MS = 100;

/**
 * The watchdog's thread. CommonJS run by `eval`, so it needs no loader and works bundled or not.
 * A host that dies leaves its children to another parent: the parent process id changes.
 */
const watchdog = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.hostPid) process.kill(process.pid, 'SIGKILL');
}, workerData.pollMs);
`;

/**
 * Ends this worker process (a run's or a job's) the moment its engine host is gone, even while its main
 * thread is busy in a long synchronous computation (an evaluation, a step, a probe): IPC's 'disconnect'
 * only fires once the main thread is back in the event loop, and until then the worker would compute, and
 * write checkpoints, that nobody records. The watchdog runs on a thread of its own and kills the process
 * outright: there is nobody left to report to.
 */
export function watchHost(): void {
  const hostPid = process.ppid;
  // Forked by nobody (run by hand, in a test): no host to watch.
  if (!process.connected) return;
  const thread = new Worker(watchdog, {
    eval: true,
    workerData: { hostPid, pollMs: POLL_MS },
    // The worker's own flags (tsx's loader) would only slow the thread's start.
    execArgv: [],
    stdout: true,
    stderr: true,
  });
  // Without its watchdog the worker still ends on 'disconnect', only later: no reason to fail the run.
  thread.on('error', () => {});
  // The watchdog never keeps a finished worker alive.
  thread.unref();
}
