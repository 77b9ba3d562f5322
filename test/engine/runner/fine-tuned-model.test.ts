import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { loadDataset, type Dataset } from '../../../src-main/engine/data';
import { createStudent } from '../../../src-main/engine/eval/distill';
import { logitsOf } from '../../../src-main/engine/eval/fine-tune';
import {
  fineTunedModelFile,
  loadFineTunedModel,
  saveFineTunedModel,
} from '../../../src-main/engine/runner/fine-tuned-model';
import { tempDir } from '../../helpers/cli';

let dir: string;
let dataset: Dataset;

beforeAll(async () => {
  await initBackend('wasm');
  dataset = await loadDataset({ id: 'synthetic', trainSize: 20, testSize: 20, seed: 3 });
  dir = tempDir('contrastlab-fine-tuned-model-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the fine-tuned model a fine-tune job keeps', () => {
  it("lies beside the checkpoint it fine-tuned, in the run's folder", () => {
    expect(fineTunedModelFile('/data/checkpoints/run-3/step-40.ckpt', 12)).toBe(
      path.join('/data/checkpoints/run-3', 'finetune-job-12.model'),
    );
  });

  it('restores the network, its batch-norm statistics and the classifier: the same logits', async () => {
    const saved = createStudent('convnet', 4, dataset, 1);
    const restored = createStudent('convnet', 4, dataset, 2);
    const other = createStudent('convnet', 8, dataset, 3);
    try {
      // A trained-looking classifier and batch-norm statistics that are not the initial ones.
      for (const [, v] of [...saved.classifier.namedParameters(), ...saved.network.namedBuffers()]) {
        v.assign(tf.randomNormal(v.shape, 0.5, 0.2, 'float32', 9));
      }
      const file = path.join(dir, 'finetune-job-1.model');
      const meta = { runId: 1, step: 40, epoch: 2, method: 'simclr' };
      expect(await saveFineTunedModel(file, meta, saved.network, saved.classifier)).toBe(
        fs.statSync(file).size,
      );
      expect(fs.readdirSync(dir)).toEqual(['finetune-job-1.model']);

      const header = loadFineTunedModel(file, restored.network, restored.classifier);
      expect(header).toMatchObject(meta);
      const indices = Int32Array.from({ length: dataset.test.count }, (_, i) => i);
      const [a, b] = [saved, restored].map((c) =>
        logitsOf(c.network, c.classifier, dataset, dataset.test, indices).arraySync(),
      );
      expect(b).toEqual(a);

      // Another network's file is refused, naming the first difference.
      expect(() => loadFineTunedModel(file, other.network, other.classifier)).toThrow(
        /^checkpoint .*finetune-job-1\.model: network\.net\.0\.weight has shape \[3,3,3,4\], the model \[3,3,3,8\]$/,
      );
    } finally {
      for (const c of [saved, restored, other]) {
        c.network.dispose();
        c.classifier.dispose();
      }
    }
  });
});
