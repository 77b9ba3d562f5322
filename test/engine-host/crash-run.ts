/**
 * The run the crash tests kill and resume: 192 synthetic images at batch 64 (3 steps an epoch), 3
 * epochs, a checkpoint at every epoch end, and no final probe (it has nothing to do with resuming).
 */
export const crashRun = {
  method: 'simclr',
  dataset: { id: 'synthetic' as const, trainSize: 192, testSize: 64 },
  config: { epochs: 3, width: 8, batchSize: 64, knnK: 20, checkpointEvery: 1, linearProbe: false },
  name: 'crash test',
};
