/**
 * What a fine-tune job keeps of its result: the fine-tuned network (parameters and batch-norm statistics)
 * and its linear classifier, so the job can serve as the teacher of a distillation (SimCLR v2, Chen et al.
 * 2020b, Sec. 2: the fine-tuned network imputes labels for the unlabelled images). The file is in the
 * checkpoint format (runner/checkpoint.ts: checksummed, written atomically) with tensors `network.*` and
 * `classifier.*`, and lies beside the run's checkpoints, so deleting the run deletes it.
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { LinearClassifier } from '../eval/fine-tune';
import type { Backbone } from '../nn/backbones';
import { openCheckpoint, saveTensors, type CheckpointHeader, type CheckpointMeta } from './checkpoint';

/** The file of fine-tune job `jobId`, in the folder of the checkpoint it fine-tuned (the run's). */
export function fineTunedModelFile(checkpointPath: string, jobId: number): string {
  return path.join(path.dirname(checkpointPath), `finetune-job-${jobId}.model`);
}

/** The variables the file holds, by name: the network's parameters and buffers, then the classifier's. */
function fineTunedVariables(network: Backbone, classifier: LinearClassifier): [string, tf.Variable][] {
  return [
    ...network.namedParameters('network.'),
    ...network.namedBuffers('network.'),
    ...classifier.namedParameters('classifier.'),
  ];
}

/** Writes the fine-tuned network and classifier to `file`, complete or not at all; returns its bytes. */
export function saveFineTunedModel(
  file: string,
  meta: CheckpointMeta,
  network: Backbone,
  classifier: LinearClassifier,
): Promise<number> {
  return saveTensors(file, meta, fineTunedVariables(network, classifier));
}

/**
 * Loads a fine-tuned network and classifier into `network` (built as the run's, fineTuneNetwork) and
 * `classifier` (of the network's output size and the dataset's classes); a CheckpointError names a file
 * that is missing, damaged or of another network.
 */
export function loadFineTunedModel(
  file: string,
  network: Backbone,
  classifier: LinearClassifier,
): CheckpointHeader {
  const checkpoint = openCheckpoint(file);
  checkpoint.loadVariables(fineTunedVariables(network, classifier));
  return checkpoint.header;
}
