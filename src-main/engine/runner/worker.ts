/**
 * The run worker: a child process per run (docs/ARCHITECTURE.md, "Processes"), so training never blocks the
 * engine host or the UI, a crash in native code kills only this run, and stopping is reliable.
 * It speaks the protocol in protocol.ts over the IPC channel of child_process.fork.
 */
import { watchHost } from './host-watchdog';
import type { HostMessage, WorkerMessage } from './protocol';
import { runTraining } from './run-training';

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
  else if (message.type === 'start') {
    void runTraining(message, send, () => stopRequested).then((finished) => {
      // Exit only once the last message is on its way, so the host records the final state.
      process.send?.(finished, () => process.exit(0));
    });
  }
});
