/**
 * The run worker: a child process per run (docs/ARCHITECTURE.md, "Processes"), so training never blocks the
 * engine host or the UI, a crash in native code kills only this run, and stopping is reliable.
 * It speaks the protocol in protocol.ts over the IPC channel of child_process.fork.
 */
import { watchHost } from './host-watchdog';
import type { HostMessage, WorkerMessage } from './protocol';
import { train, type TrainReporter } from './train';
import type { MetricPoint } from '../../domain';

const send = (m: WorkerMessage) => process.send?.(m);

let stopRequested = false;
// Ctrl-C, a closed terminal (SIGHUP) and systemd's SIGTERM reach the whole process group; the host
// decides, and tells us to stop. Without a handler SIGHUP would kill us before the stop checkpoint.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopRequested = true;
  });
}
process.on('disconnect', () => {
  // The host is gone: nobody records what we compute any more.
  process.exit(1);
});
// 'disconnect' waits for the event loop; the watchdog ends us even in the middle of a long computation.
watchHost();

process.on('message', (message: HostMessage) => {
  if (message.type === 'stop') stopRequested = true;
  else if (message.type === 'start') void run(message);
});

async function run(start: Extract<HostMessage, { type: 'start' }>) {
  let pending: MetricPoint[] = [];
  let lastFlush = Date.now();
  const flush = () => {
    if (pending.length) send({ type: 'metrics', points: pending });
    pending = [];
    lastFlush = Date.now();
  };
  const reporter: TrainReporter = {
    started: (backend, device) => send({ type: 'started', backend, device }),
    metric: (step, epoch, key, value) => {
      pending.push({ runId: start.runId, step, epoch, key, value, wallTime: Date.now() / 1000 });
      // Points travel in batches: one IPC message and one SQLite transaction per quarter second.
      if (Date.now() - lastFlush > 250) flush();
    },
    progress: (progress) => send({ type: 'progress', progress }),
    log: (level, message) =>
      send({ type: 'log', line: { runId: start.runId, time: Date.now() / 1000, level, message } }),
    checkpoint: (saved) => send({ type: 'checkpoint', ...saved }),
    histogram: (histogram) => send({ type: 'histogram', histogram: { runId: start.runId, ...histogram } }),
    embedding: (embedding) => send({ type: 'embedding', embedding: { runId: start.runId, ...embedding } }),
  };
  let finished: WorkerMessage;
  try {
    finished = { type: 'finished', status: await train(start, reporter, () => stopRequested) };
  } catch (e) {
    finished = { type: 'finished', status: 'failed', error: (e as Error).message };
  }
  flush();
  // Exit only once the last message is on its way, so the host records the final state.
  process.send?.(finished, () => process.exit(0));
}
