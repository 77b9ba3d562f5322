/**
 * One run's training with its reports going to `send`: the IPC channel of a local worker (worker.ts)
 * or the events file of a Slurm worker (slurm-task.ts). Metric points travel in batches.
 */
import type { MetricPoint } from '../../domain';
import type { HostMessage, WorkerMessage } from './protocol';
import { train, type TrainReporter } from './train';

export type StartMessage = Extract<HostMessage, { type: 'start' }>;
export type FinishedMessage = Extract<WorkerMessage, { type: 'finished' }>;

export interface RunTrainingOptions {
  /** Milliseconds between two progress reports at most (default: every step). */
  progressIntervalMs?: number;
}

/** Trains the run; resolves with how it finished (a failure is reported, never thrown). */
export async function runTraining(
  start: StartMessage,
  send: (m: WorkerMessage) => void,
  stopRequested: () => boolean,
  options: RunTrainingOptions = {},
): Promise<FinishedMessage> {
  let pending: MetricPoint[] = [];
  let lastFlush = Date.now();
  let lastProgress = 0;
  const flush = () => {
    if (pending.length) send({ type: 'metrics', points: pending });
    pending = [];
    lastFlush = Date.now();
  };
  const reporter: TrainReporter = {
    started: (backend, device) => send({ type: 'started', backend, device }),
    metric: (step, epoch, key, value) => {
      pending.push({ runId: start.runId, step, epoch, key, value, wallTime: Date.now() / 1000 });
      // Points travel in batches: one message and one SQLite transaction per quarter second.
      if (Date.now() - lastFlush > 250) flush();
    },
    progress: (progress) => {
      const now = Date.now();
      if (options.progressIntervalMs && now - lastProgress < options.progressIntervalMs) return;
      lastProgress = now;
      send({ type: 'progress', progress });
    },
    log: (level, message) =>
      send({ type: 'log', line: { runId: start.runId, time: Date.now() / 1000, level, message } }),
    // A checkpoint's record follows the points before it, so a reader never sees one without them.
    checkpoint: (saved) => {
      flush();
      send({ type: 'checkpoint', ...saved });
    },
    histogram: (histogram) => send({ type: 'histogram', histogram: { runId: start.runId, ...histogram } }),
    embedding: (embedding) => send({ type: 'embedding', embedding: { runId: start.runId, ...embedding } }),
  };
  let finished: FinishedMessage;
  try {
    finished = { type: 'finished', status: await train(start, reporter, stopRequested) };
  } catch (e) {
    finished = { type: 'finished', status: 'failed', error: (e as Error).message };
  }
  flush();
  return finished;
}
