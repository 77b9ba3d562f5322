import {
  expectOnly,
  makeTrainingState,
  savedNumber,
  type Stateful,
  type TrainingState,
} from '../nn/training-state';
import type { Rng } from '../util/rng';

/**
 * The training loop's own training state: the position of the next batch to train and the two random
 * streams that decide it, the data order and the augmentation. Saved at a step boundary, it is the state
 * for the batch the run trains next, never the input pipeline's read-ahead:
 *
 * - `epoch`, `batch`: the next batch (its epoch, and its index in that epoch's order); `step`: steps done.
 * - `order`: the position (Rng.position) of the loop's generator from which `epoch`'s permutation is
 *   drawn. A resumed run draws that permutation again and carries on with `batch`, so mid-epoch it trains
 *   the rest of the same order, and at an epoch's end the next epoch's.
 * - `augment`: the augmentation stream's position for the next batch (InputPipeline.position after the
 *   batch last trained), where the resumed run's input pipeline starts.
 */
export class LoopState implements Stateful {
  epoch = 0;
  batch = 0;
  step = 0;
  private orderPosition: number;

  constructor(
    /** The loop's generator: one permutation per epoch. */
    private readonly order: Rng,
    /** Where the augmentation stream stands before the next batch. */
    public augment: number,
  ) {
    this.orderPosition = order.position;
  }

  /** The epoch's order of the training images (its permutation, drawn from the loop's generator). */
  beginEpoch(epoch: number, count: number): Int32Array {
    this.epoch = epoch;
    this.orderPosition = this.order.position;
    return this.order.permutation(count);
  }

  /** The batch at `batch` was trained; the augmentation stream now stands at `augment`. */
  stepDone(augment: number): void {
    this.batch++;
    this.step++;
    this.augment = augment;
  }

  /** The epoch's last batch was trained: next is the following epoch's first, in an order not drawn yet. */
  epochDone(): void {
    this.epoch++;
    this.batch = 0;
    this.orderPosition = this.order.position;
  }

  trainingState(): TrainingState {
    return makeTrainingState(
      [],
      [
        ['epoch', this.epoch],
        ['batch', this.batch],
        ['step', this.step],
        ['order', this.orderPosition],
        ['augment', this.augment],
      ],
    );
  }

  restoreTrainingState(state: TrainingState): void {
    expectOnly(state, [], ['epoch', 'batch', 'step', 'order', 'augment']);
    this.epoch = savedNumber(state, 'epoch');
    this.batch = savedNumber(state, 'batch');
    this.step = savedNumber(state, 'step');
    this.orderPosition = savedNumber(state, 'order');
    this.order.position = this.orderPosition;
    this.augment = savedNumber(state, 'augment');
  }
}
