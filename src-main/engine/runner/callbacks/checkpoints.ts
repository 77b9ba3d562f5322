import { checkpointFile, saveCheckpoint } from '../checkpoint';
import type { EpochEnd, PhaseListener, RunEnd, TrainingCallback, TrainingRun } from './training-callback';

/**
 * Which epochs end with a checkpoint: every `every`-th and the last; with `every` = 0 only the last.
 * (Step 0, the random initialisation, is always saved too: it is the linear probe's baseline.)
 */
export function checkpointAfterEpoch(epochDone: number, epochs: number, every: number): boolean {
  return epochDone === epochs || (every > 0 && epochDone % every === 0);
}

/**
 * The checkpoints of one training run (runner/checkpoint.ts), each with the model and the training
 * state to resume from: step 0, the end of every `checkpointEvery`-th epoch and the last, and the step
 * a stopped run reached. Without a folder it saves nothing. A checkpoint that cannot be written is a
 * warning, not the end of the run. A resumed run does not save its checkpoint's step again.
 */
export class CheckpointCallback implements TrainingCallback {
  private lastStep = -1;

  constructor(private readonly onPhase: PhaseListener = () => {}) {}

  onStart(run: TrainingRun): void {
    this.lastStep = run.resumedAt ?? -1;
  }

  async onEpochEnd(run: TrainingRun, { step, epoch }: EpochEnd): Promise<void> {
    if (epoch === 0 || checkpointAfterEpoch(epoch, run.config.epochs, run.config.checkpointEvery)) {
      await this.save(run, step, epoch);
    }
  }

  async onEnd(run: TrainingRun, { outcome, step, epoch }: RunEnd): Promise<void> {
    // A stopped run keeps the state it reached.
    if (outcome === 'stopped' && step > 0) await this.save(run, step, epoch);
  }

  private async save(run: TrainingRun, step: number, epoch: number): Promise<void> {
    const dir = run.checkpointDir;
    if (!dir || step === this.lastStep) return;
    this.lastStep = step;
    this.onPhase(run, 'checkpoint');
    const file = checkpointFile(dir, step);
    try {
      const bytes = await saveCheckpoint(
        run.instance,
        file,
        { runId: run.runId, step, epoch, method: run.method },
        run.training,
      );
      run.reporter.checkpoint?.({ step, epoch, path: file, bytes });
    } catch (e) {
      run.reporter.log('warn', `could not save the checkpoint of step ${step}: ${(e as Error).message}`);
    }
  }
}
