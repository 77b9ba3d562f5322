import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './src-main/engine/backend';
import { augmentBatch, simclrAugment, toFloatBatch } from './src-main/engine/data/augment';
import { loadDataset } from './src-main/engine/data';
import { Rng } from './src-main/engine/util/rng';
await initBackend('wasm');
const ds = await (loadDataset as any)({ id: 'cifar10', dataDir: '../shared/data/cifar10-subset/cifar-10-batches-bin' });
const rng = new Rng(1);
const idx = Int32Array.from({ length: 128 }, (_, i) => i);
const aug = simclrAugment(32);
const run = () => tf.tidy(() => { const im = toFloatBatch(ds.train, idx); return [augmentBatch(im, aug, rng), augmentBatch(im, aug, rng)]; });
for (let i = 0; i < 3; i++) tf.dispose(run());
let t = performance.now(); for (let i = 0; i < 5; i++) tf.dispose(run()); console.log('makeBatch ms', (performance.now() - t) / 5);
const prof = await tf.profile(() => { tf.dispose(run()); });
const by = new Map<string, [number, number]>();
for (const k of prof.kernels) { const e = by.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; by.set(k.name, e); }
console.log([...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([n, [ms, c]]) => `${n} ${ms.toFixed(1)}ms ×${c}`).join('\n'));
