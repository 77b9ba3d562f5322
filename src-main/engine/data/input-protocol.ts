import type { ViewPlan } from '../../domain';
import type { ImageShape } from './dataset';
import type { SharedPixels } from './pixels';
import type { SampledViews } from './views';

/** Messages between a training thread and its input thread (data/input-thread.ts). */

/** The first message: everything the input thread needs to draw views. */
export interface InputInit extends ImageShape {
  type: 'init';
  /** The training split's pixels: a copy the thread keeps, or the cache file it reads them from. */
  pixels: SharedPixels;
  mean: [number, number, number];
  std: [number, number, number];
  plan: ViewPlan;
  /**
   * Where the augmentation stream starts (Rng.position; the same stream the training thread would draw from
   * without this thread).
   */
  position: number;
  /**
   * Whether the thread augments the views (on its own wasm backend), or only reads the images and draws
   * every random choice, leaving the augmenting to the training thread's backend (a GPU's).
   */
  augmentHere: boolean;
}

/** Draw the views of these images; answered by their views or their sampled choices, in the order asked. */
export interface InputRequest {
  type: 'batch';
  indices: Int32Array;
}

export type ToInputThread = InputInit | InputRequest;

export type FromInputThread =
  | { type: 'ready' }
  | {
      type: 'views';
      views: { shape: [number, number, number, number]; data: Float32Array }[];
      /** The stream's position after this batch (the training thread reports it once it trains the batch). */
      position: number;
    }
  | { type: 'sampled'; sampled: SampledViews; position: number }
  | { type: 'error'; message: string };
