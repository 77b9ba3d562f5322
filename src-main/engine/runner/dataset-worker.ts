/**
 * The dataset worker: a child process per dataset task (building a dataset's cache, or reading a
 * dataset for the Datasets view), forked by the engine host like a job worker (docs/ARCHITECTURE.md,
 * "Processes"), so decoding thousands of images never blocks the host, and the host never holds a large
 * dataset in memory.
 */
import { loadDataset } from '../data';
import { inspectLoaded } from './dataset-inspection';
import type { DatasetTaskMessage, DatasetWorkerMessage } from './dataset-protocol';
import { watchHost } from './host-watchdog';

const send = (m: DatasetWorkerMessage) => process.send?.(m);

process.on('disconnect', () => process.exit(1));
// 'disconnect' waits for the event loop; the watchdog ends us even in the middle of a long decode.
watchHost();
process.on('message', (message: DatasetTaskMessage) => {
  if (message.type === 'start') void runTask(message);
});

async function runTask(start: DatasetTaskMessage): Promise<void> {
  let last = { at: 0, progress: -1 };
  const progress = (fraction: number, message: string) => {
    // At most a few messages a second: each one is an update the host forwards.
    const now = Date.now();
    if (now - last.at < 250 && fraction < 1 && fraction - last.progress < 0.1) return;
    last = { at: now, progress: fraction };
    send({ type: 'progress', progress: Math.min(1, Math.max(0, fraction)), message });
  };
  let outcome: DatasetWorkerMessage;
  try {
    progress(0, 'reading the dataset');
    const dataset = await loadDataset({
      ...start.spec,
      cacheDir: start.cacheDir,
      onProgress: (done, total) => progress(done / total, `building the cache: ${done} / ${total} images`),
    });
    outcome = {
      type: 'finished',
      inspection: start.task === 'inspect' ? await inspectLoaded(dataset, start.perClass) : null,
    };
  } catch (e) {
    outcome = { type: 'failed', error: (e as Error).message };
  }
  // Exit only once the last message is on its way, so the host records the outcome.
  process.send?.(outcome, () => process.exit(0));
}
