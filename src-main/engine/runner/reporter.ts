import type { RunProgress, SimilarityHistogram } from '../../domain';
import type { SavedCheckpoint } from './checkpoint';
import type { EmbeddingReport } from './protocol';

/** Where the training loop reports to: the worker forwards these to the engine host. */
export interface TrainReporter {
  started(backend: string, device: string): void;
  metric(step: number, epoch: number, key: string, value: number): void;
  progress(progress: RunProgress): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** A checkpoint was written (runner/callbacks/checkpoints.ts). */
  checkpoint?(saved: SavedCheckpoint): void;
  /** The similarity histograms of an evaluation (runner/callbacks/diagnostics.ts). */
  histogram?(histogram: Omit<SimilarityHistogram, 'runId'>): void;
  /** An embedding snapshot of an evaluation (runner/callbacks/diagnostics.ts); only computed when this is given. */
  embedding?(embedding: Omit<EmbeddingReport, 'runId'>): void;
}
