/**
 * The batch size a method's learning rate is stated for: SimCLR (Chen et al. 2020, Sec. B.1:
 * "LearningRate = 0.3 × BatchSize/256"), MoCo, BYOL and SimSiam state theirs the same way, after the linear
 * scaling rule (Goyal et al. 2017, Sec. 2.1).
 */
export const lrReferenceBatchSize = 256;

/**
 * The peak learning rate a run trains with: its configured `lr` (per 256 images) scaled to the batch it
 * takes, which is at most the training split's size.
 */
export function scaledLearningRate(lr: number, batchSize: number, trainCount = Infinity): number {
  return (lr * Math.min(batchSize, trainCount)) / lrReferenceBatchSize;
}
