import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import { createInstance, expectHealthyRun, trainTiny } from './method-harness';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The head's trainable parameters, by name after `head.`. */
function headParameters(config: Record<string, unknown>): string[] {
  const { instance } = createInstance('simclr', { projectionHiddenDim: 16, projectionDim: 8, ...config });
  const names = instance
    .trainableParameters()
    .map(([name]) => name)
    .filter((name) => name.startsWith('head.'));
  instance.dispose();
  return names;
}

describe('simclr', () => {
  it("ends the head with a biased output layer, or with the released code's scale-only batch norm", () => {
    // The released code's recipe by default (the field's description has the measurement).
    expect(resolveConfig(getMethod('simclr'), {})).toMatchObject({
      headOutput: 'batch-norm',
      nesterov: true,
      exemptNormsFromDecay: true,
    });
    expect(resolveConfig(getMethod('supcon'), {})).toMatchObject({
      nesterov: false,
      exemptNormsFromDecay: false,
    });
    const linear = headParameters({ headOutput: 'linear' });
    const released = headParameters({ headOutput: 'batch-norm' });
    // Both: a bias-free hidden layer, its BN's γ and β.
    for (const names of [linear, released]) {
      expect(names.slice(0, 3)).toEqual(['head.0.weight', 'head.1.gamma', 'head.1.beta']);
    }
    expect(linear.slice(3)).toEqual(['head.3.weight', 'head.3.bias']);
    // The released end: a bias-free layer, then BN's learned scale γ; its shift is a constant 0.
    expect(released.slice(3)).toEqual(['head.3.weight', 'head.4.gamma']);
  });

  it('trains one epoch with either head end without NaN/Inf and logs the kNN monitor', async () => {
    expectHealthyRun(await trainTiny('simclr', { headOutput: 'batch-norm' }));
    expectHealthyRun(await trainTiny('simclr', { headOutput: 'linear' }));
  });
});
