import { CheckpointError } from '../../domain';
import type { RunConfig } from '../methods';
import type { MethodInstance } from '../methods/method';
import type { Optimizer } from '../nn/optimizers';
import { makeTrainingState, stateGroup, stateless, type Stateful } from '../nn/training-state';
import { openCheckpoint, type CheckpointRun, type OpenCheckpoint } from './checkpoint';
import type { LoopState } from './loop-state';

/**
 * Resuming a run from a checkpoint (runner/checkpoint.ts): which checkpoints can resume which run, and
 * putting a run's whole training state back, so that it continues with the step after the checkpoint's
 * exactly as if it had never stopped.
 */

/** Where a resumed run continues from. */
export interface ResumeSpec {
  /** A checkpoint of the same method and config, written with its training state (format version 2). */
  checkpointPath: string;
}

/**
 * Everything a run keeps between steps besides the model, as one piece: the optimiser's slots, the
 * method's own state (MethodInstance.trainingState) and the loop's (LoopState).
 */
export function runTrainingState(optimizer: Optimizer, instance: MethodInstance, loop: LoopState): Stateful {
  const method: Stateful = {
    trainingState: () => instance.trainingState?.() ?? makeTrainingState(),
    restoreTrainingState: (state) =>
      instance.restoreTrainingState
        ? instance.restoreTrainingState(state)
        : stateless.restoreTrainingState(state),
  };
  return stateGroup({ optimizer, method, loop });
}

/**
 * Config fields a resumed run may change: the number of epochs (to continue a run for longer) and what only
 * evaluates or saves. Every other field shapes the training itself, so the checkpoint's run and this one
 * must agree on it.
 */
const MAY_DIFFER: ReadonlySet<string> = new Set([
  'epochs',
  'knnK',
  'knnTemperature',
  'checkpointEvery',
  'linearProbe',
  'probeOptimizer',
]);

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * Opens a checkpoint to resume the run `run` of `method` from, and checks it can: a whole file (the reader
 * checks length and checksums), with training state, of the same method, dataset and config. The number
 * of epochs may grow: a run that completed can be continued for more. The run's schedules over training
 * (the cosine learning rate, BYOL's τ, DINO's and MoCo v3's momentum) are functions of the step and of the
 * total steps, so they become those of the longer run from the checkpoint's step on: the cosine, which had
 * decayed to about zero at the end of the shorter run, continues at the longer cosine's value for that
 * step, i.e. the learning rate rises again (a warm restart, cf. Loshchilov & Hutter 2017) and the momentum
 * coefficients fall back below their end value. The result is not the run that training for the longer
 * schedule from the start would have given, which no checkpoint could give. Fewer epochs are refused.
 * Anything else is a CheckpointError of one line naming the file and the first difference.
 */
export function openForResume(file: string, method: string, run: CheckpointRun): OpenCheckpoint {
  const checkpoint = openCheckpoint(file);
  const refuse = (why: string) => new CheckpointError(`checkpoint ${file} cannot resume this run: ${why}`);
  const { header } = checkpoint;
  if (header.version === 1) {
    throw refuse(
      'it is a version-1 checkpoint, which holds the model only (enough for the linear probe) and not the optimiser, queues and random state that resuming needs',
    );
  }
  const saved = header.training;
  if (!saved) throw refuse('it holds the model only, without the training state that resuming needs');
  if (header.method !== method) throw refuse(`it is of a ${header.method} run, this run is ${method}`);
  const [a, b] = [saved.run.dataset, run.dataset];
  if (a.id !== b.id) throw refuse(`it was trained on dataset ${a.id}, this run uses ${b.id}`);
  if (a.trainCount !== b.trainCount) {
    throw refuse(`it was trained on ${a.trainCount} training images, this run has ${b.trainCount}`);
  }
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw refuse(
      `its images were ${a.height}×${a.width}×${a.channels}, this run's are ${b.height}×${b.width}×${b.channels}`,
    );
  }
  const keys = [...new Set([...Object.keys(saved.run.config), ...Object.keys(run.config)])].sort();
  for (const key of keys) {
    if (MAY_DIFFER.has(key)) continue;
    const [was, is] = [(saved.run.config as RunConfig)[key], run.config[key]];
    if (JSON.stringify(was) !== JSON.stringify(is)) {
      throw refuse(`it was trained with ${key} ${show(was)}, this run has ${show(is)}`);
    }
  }
  if (run.config.epochs < saved.run.config.epochs) {
    throw refuse(
      `its run has ${saved.run.config.epochs} epochs; a resumed run may have more, not fewer (this one: ${run.config.epochs})`,
    );
  }
  if (saved.run.stepsPerEpoch !== run.stepsPerEpoch) {
    throw refuse(`its run had ${saved.run.stepsPerEpoch} steps per epoch, this run has ${run.stepsPerEpoch}`);
  }
  return checkpoint;
}

/**
 * Puts a checkpoint opened by openForResume back into a run built afresh from the same spec: the model into
 * `instance`, the training state into `state` (runTrainingState). A CheckpointError where anything does not
 * fit.
 */
export function restoreRun(checkpoint: OpenCheckpoint, instance: MethodInstance, state: Stateful): void {
  checkpoint.loadModel(instance);
  const saved = checkpoint.trainingState();
  if (!saved) throw new CheckpointError(`checkpoint ${checkpoint.file} holds no training state`);
  try {
    state.restoreTrainingState(saved);
  } catch (e) {
    throw new CheckpointError(
      `checkpoint ${checkpoint.file} cannot resume this run: ${(e as Error).message}`,
    );
  } finally {
    for (const t of saved.tensors.values()) t.dispose();
  }
}
