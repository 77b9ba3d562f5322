import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { TrainSpec } from '../../../src-main/engine/runner/train';

/**
 * A run the training loop's tests share: 128 synthetic images at batch 64 (two steps an epoch, four in
 * two epochs), a ConvNet of width 8, its config resolved by the method's schema as the host does.
 */
export function tinyTrainSpec(
  method = 'simclr',
  config: Record<string, unknown> = {},
  spec: Partial<Omit<TrainSpec, 'config'>> = {},
): TrainSpec {
  return {
    runId: 1,
    method,
    dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
    backend: 'wasm',
    config: resolveConfig(getMethod(method), { epochs: 2, width: 8, batchSize: 64, knnK: 20, ...config }),
    inputThread: false,
    ...spec,
  };
}
