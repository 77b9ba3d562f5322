/**
 * The kNN evaluation on the Vulkan device: its similarities, nearest neighbours (top k) and votes run on
 * shaders, so an evaluation during a run on a GPU reads back only each test image's ranked classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../../src-main/engine/backend';
import { countFallbacks } from '../../../../src-main/engine/backend/vulkan';
import { weightedKnn } from '../../../../src-main/engine/eval/knn';
import { Rng } from '../../../../src-main/engine/util/rng';
import { vulkanAvailable } from './vulkan-helpers';

/** Unit-length features of `count` samples in `classes` clusters, and their labels. */
function clustered(count: number, classes: number, dim: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: count }, () => rng.int(classes));
  const features = tf.tidy(() => {
    const centres = tf.randomNormal([classes, dim], 0, 1, 'float32', 11);
    const noisy = tf.add(
      tf.gather(centres, tf.tensor1d(labels, 'int32')),
      tf.randomNormal([count, dim], 0, 1.2, 'float32', seed),
    );
    return tf.div(noisy, tf.norm(noisy, 2, 1, true)) as tf.Tensor2D;
  });
  return { features, labels };
}

describe.runIf(vulkanAvailable)('kNN on the vulkan device', () => {
  it('classifies as on the cpu, with every kernel on a shader', async () => {
    const evaluate = async (backend: 'cpu' | 'vulkan') => {
      await initBackend(backend);
      const train = clustered(600, 10, 32, 1);
      const test = clustered(150, 10, 32, 2);
      const result = weightedKnn(train.features, train.labels, test.features, test.labels, {
        k: 200,
        temperature: 0.1,
        numClasses: 10,
        chunk: 64,
      });
      tf.dispose([train.features, test.features]);
      return result;
    };
    const onCpu = await evaluate('cpu');
    const fallbacks = countFallbacks();
    const onDevice = await evaluate('vulkan');
    expect(fallbacks()).toEqual([]);
    expect(onDevice).toEqual(onCpu);
    // Clusters a kNN separates, and not perfectly: the comparison covers right and wrong answers.
    expect(onCpu.top1).toBeGreaterThan(0.3);
    expect(onCpu.top1).toBeLessThan(1);
  });
});
