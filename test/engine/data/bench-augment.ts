/**
 * Augmentation throughput: `npx tsx test/engine/data/bench-augment.ts [cpu|wasm ...]`.
 * Batches of 256 synthetic 32×32 images through SimCLR's CIFAR pipeline and a BYOL-style one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { augmentBatch, simclrAugment, toFloatBatch } from '../../../src-main/engine/data/augment';
import type { AugmentConfig } from '../../../src-main/domain';
import { generateSynthetic } from '../../../src-main/engine/data/synthetic';
import { Rng } from '../../../src-main/engine/util/rng';
import { backends, useBackend, type BackendName } from './backend';

const BATCH = 256;
const data = generateSynthetic({ seed: 1, trainSize: 2048, testSize: 10 });
const pipelines: Record<string, AugmentConfig> = {
  'SimCLR CIFAR (crop, flip, jitter, gray)': simclrAugment(32),
  'BYOL-style (+ blur p=1 σ∈[0.1,2], solarize p=0.2)': {
    ...simclrAugment(32),
    blurProb: 1,
    solarizeProb: 0.2,
  },
};

async function bench(backend: BackendName): Promise<void> {
  await useBackend(backend);
  const rng = new Rng(1);
  const indices = () => Int32Array.from({ length: BATCH }, () => rng.int(data.train.count));
  const iterations = backend === 'cpu' ? 3 : 20;
  let t0 = performance.now();
  for (let i = 0; i < iterations; i++) toFloatBatch(data.train, indices()).dispose();
  const load = (performance.now() - t0) / iterations;
  console.log(
    `${backend}: toFloatBatch ${load.toFixed(1)} ms/batch, ${Math.round((BATCH * 1000) / load)} images/s`,
  );
  for (const [name, config] of Object.entries(pipelines)) {
    const images = toFloatBatch(data.train, indices());
    augmentBatch(images, config, rng).dispose(); // warm-up
    t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const out = augmentBatch(images, config, rng);
      await out.data(); // wait for the work, as a training step would
      out.dispose();
    }
    const ms = (performance.now() - t0) / iterations;
    images.dispose();
    console.log(
      `${backend}: ${name}: ${ms.toFixed(1)} ms/batch of ${BATCH}, ${Math.round((BATCH * 1000) / ms)} images/s`,
    );
  }
}

const chosen = process.argv
  .slice(2)
  .filter((a): a is BackendName => (backends as readonly string[]).includes(a));
for (const backend of chosen.length > 0 ? chosen : backends) await bench(backend);
console.log(`tensors left: ${tf.memory().numTensors}`);
