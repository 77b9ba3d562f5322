import type {
  EpochEnd,
  EpochStart,
  RunEnd,
  StepEnd,
  TrainingCallback,
  TrainingRun,
} from './training-callback';

/** The callbacks of one run, each hook called on every callback in list order and awaited. */
export class CallbackList {
  constructor(
    private readonly run: TrainingRun,
    private readonly callbacks: readonly TrainingCallback[],
  ) {}

  async onStart(): Promise<void> {
    for (const c of this.callbacks) await c.onStart?.(this.run);
  }

  async onEpochStart(start: EpochStart): Promise<void> {
    for (const c of this.callbacks) await c.onEpochStart?.(this.run, start);
  }

  async onStepEnd(end: StepEnd): Promise<void> {
    for (const c of this.callbacks) await c.onStepEnd?.(this.run, end);
  }

  async onEpochEnd(end: EpochEnd): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd?.(this.run, end);
  }

  async onEnd(end: RunEnd): Promise<void> {
    for (const c of this.callbacks) await c.onEnd?.(this.run, end);
  }

  onTeardown(): void {
    for (const c of this.callbacks) c.onTeardown?.(this.run);
  }
}
