/**
 * What a run worker reports, written to the store: the same for a local worker's IPC messages
 * (run-supervisor.ts) and a Slurm worker's events file (slurm-executor.ts). Each write is safe to
 * repeat for a report read again after a fault: a checkpoint is recorded once.
 */
import type { EngineEvent } from '../../api/events';
import type { WorkerMessage } from '../runner/protocol';
import { publicCheckpoint } from '../store/checkpoints';
import type { Store } from '../store/store';
import { base64ToFloat32 } from '../util/base64';
import { pruneCheckpoints } from './checkpoint-retention';

export type WorkerReport = Exclude<WorkerMessage, { type: 'finished' }>;

/**
 * Records one report of run `runId`'s worker; the events it causes go to `emit` (which may hold them
 * until the transaction they were written in commits). `pid` is the worker's process, when local.
 */
export function recordWorkerReport(
  store: Store,
  runId: number,
  m: WorkerReport,
  emit: (e: EngineEvent) => void,
  pid: number | null = null,
): void {
  switch (m.type) {
    case 'started': {
      store.markStarted(runId, m.backend, m.device, pid);
      const run = store.getRun(runId);
      if (run) emit({ event: 'run-updated', run });
      break;
    }
    case 'metrics':
      // Points carry the run id the worker was started with; the record is the run's own.
      store.addMetrics(m.points.map((p) => (p.runId === runId ? p : { ...p, runId })));
      emit({ event: 'metrics', points: m.points });
      break;
    case 'progress':
      emit({ event: 'progress', progress: m.progress });
      break;
    case 'log':
      store.addLogs([m.line]);
      emit({ event: 'log', line: m.line });
      break;
    case 'checkpoint': {
      // A report retried after a storage fault, or read again, must not record the checkpoint twice.
      const saved =
        store.checkpoints.list(runId).find((c) => c.step === m.step && c.path === m.path) ??
        store.checkpoints.add({ runId, step: m.step, epoch: m.epoch, path: m.path, bytes: m.bytes });
      emit({ event: 'checkpoint', checkpoint: publicCheckpoint(saved) });
      pruneCheckpoints(store, runId, store.settings.get().keepCheckpoints);
      break;
    }
    case 'histogram':
      store.histograms.add({ ...m.histogram, runId });
      break;
    case 'embedding': {
      const e = m.embedding;
      store.embeddings.put({
        runId,
        split: e.split,
        step: e.step,
        epoch: e.epoch,
        dim: e.dim,
        indices: Int32Array.from(e.indices),
        features: base64ToFloat32(e.features),
      });
      break;
    }
  }
}
