import { describe, expect, it } from 'vitest';
import { plannedSteps, stepOfValue } from '../../../src-renderer/src/lib/run-steps';
import { runs } from './run-table-fixture';

describe('the step of a value of a run that ended early', () => {
  it('names the step and the planned steps of stopped, failed and interrupted runs only', () => {
    // 31 steps an epoch: the loss at step 120 is at epoch position 120/31.
    const planned = plannedSteps({ step: 120, epoch: 120 / 31 }, 8);
    expect(planned).toBe(248);
    expect(plannedSteps({ step: 0, epoch: 0 }, 8)).toBeNull();
    expect(plannedSteps(undefined, 8)).toBeNull();
    expect(stepOfValue(runs[2]!, 'loss', planned)).toEqual({ step: 9, of: 248 });
    expect(stepOfValue({ ...runs[2]!, status: 'interrupted' }, 'loss', null)).toEqual({ step: 9, of: null });
    expect(stepOfValue(runs[2]!, 'probe_top1', planned)).toBeNull();
    expect(stepOfValue(runs[0]!, 'loss', planned)).toBeNull();
  });
});
