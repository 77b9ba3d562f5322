import { describe, expect, it } from 'vitest';
import { runResult, type Run } from '../../src-main/domain';

type Summary = Pick<Run, 'summary' | 'summarySteps'>;

/** A run stopped in its first epoch: its only kNN and diagnostics are of the random initialisation. */
const stoppedInFirstEpoch: Summary = {
  summary: { loss: 5.1, knn_top1: 0.12, knn_top5: 0.5, effective_rank: 3.2 },
  summarySteps: { loss: 7, knn_top1: 0, knn_top5: 0, effective_rank: 0 },
};

/** A run stopped after its first epoch's evaluation (step 30) and probed at step 0 afterwards. */
const stoppedAfterEpochOne: Summary = {
  summary: { loss: 4.2, knn_top1: 0.31, probe_top1: 0.22, transfer_knn_top1_mnist: 0.4 },
  summarySteps: { loss: 42, knn_top1: 30, probe_top1: 0, transfer_knn_top1_mnist: 0 },
};

describe("a run's result", () => {
  it('is never a kNN, probe or transfer of step 0 (the random initialisation)', () => {
    expect(runResult(stoppedInFirstEpoch, 'knn_top1')).toBeUndefined();
    expect(runResult(stoppedInFirstEpoch, 'knn_top5')).toBeUndefined();
    expect(runResult(stoppedAfterEpochOne, 'probe_top1')).toBeUndefined();
    expect(runResult(stoppedAfterEpochOne, 'transfer_knn_top1_mnist')).toBeUndefined();
  });

  it('is the value at the highest step otherwise, training metrics and diagnostics included', () => {
    expect(runResult(stoppedInFirstEpoch, 'loss')).toBe(5.1);
    expect(runResult(stoppedInFirstEpoch, 'effective_rank')).toBe(3.2);
    expect(runResult(stoppedAfterEpochOne, 'knn_top1')).toBe(0.31);
    expect(runResult(stoppedAfterEpochOne, 'loss')).toBe(4.2);
    expect(runResult(stoppedAfterEpochOne, 'missing')).toBeUndefined();
  });

  it('takes a summary without steps (an old client) at its word', () => {
    expect(runResult({ summary: { knn_top1: 0.2 } }, 'knn_top1')).toBe(0.2);
  });
});
