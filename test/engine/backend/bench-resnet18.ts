/**
 * Training-step throughput, forward + backward:
 * - a CIFAR ResNet-18 (width 16, 32x32 inputs, batch 32);
 * - a SimCLR-style projection head (batch 256, 512 -> 2048 -> 128, 256x256 similarity matrix).
 * `npx tsx test/engine/backend/bench-resnet18.ts [wasm] [cpu] [--ab] [--profile]`
 * --ab       on wasm, also time with tfjs-backend-wasm's own kernels in place of the project's
 *            speed-ups, interleaved over rounds; the best round is reported, as other load on the
 *            machine only ever slows a round down. Correctness fixes stay in every mode.
 * --profile  per-kernel times of the ResNet step on wasm (tf.profile; nested kernels count in both
 *            the caller and the callee).
 */
import * as tf from '@tensorflow/tfjs-core';

import { initBackend, registerWasmKernels, restoreNativeWasmKernel } from '../../../src-main/engine/backend';
import { type Params, resnet18Loss, resnet18Params } from './nets';

const args = process.argv.slice(2);
const chosen = args.filter((a) => a === 'wasm' || a === 'cpu') as ('wasm' | 'cpu')[];

interface Workload {
  name: string;
  batch: number;
  make: () => () => Promise<void>;
}

/** A step computing the loss and every parameter's gradient, awaiting all of them. */
function gradientStep(params: Params, loss: (p: Params) => tf.Scalar): () => Promise<void> {
  const names = Object.keys(params);
  const f = (...ts: tf.Tensor[]) => loss(Object.fromEntries(names.map((n, i) => [n, ts[i]])));
  return async () => {
    const { value, grads } = tf.valueAndGrads(f)(names.map((n) => params[n]));
    await Promise.all([value, ...grads].map((t) => t.data()));
    tf.dispose([value, ...grads]);
  };
}

const resnet: Workload = {
  name: 'ResNet-18 w16, 32x32, batch 32',
  batch: 32,
  make: () => {
    const x = tf.randomNormal([32, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const labels = tf.cast(tf.floor(tf.randomUniform([32], 0, 10, 'float32', 3)), 'int32') as tf.Tensor1D;
    return gradientStep(resnet18Params(1, 16), (p) => resnet18Loss(p, x, labels));
  },
};

const head: Workload = {
  name: 'projection head 512-2048-128 + NT-Xent-like, batch 256',
  batch: 256,
  make: () => {
    const h = tf.randomNormal([256, 512], 0, 1, 'float32', 4) as tf.Tensor2D;
    const params: Params = {
      w1: tf.randomNormal([512, 2048], 0, 0.04, 'float32', 5),
      b1: tf.zeros([2048]),
      w2: tf.randomNormal([2048, 128], 0, 0.02, 'float32', 6),
    };
    return gradientStep(params, (p) => {
      const hidden = tf.relu(tf.add(tf.matMul(h, p.w1 as tf.Tensor2D), p.b1));
      const z = tf.matMul(hidden, p.w2 as tf.Tensor2D);
      const zn = tf.div(z, tf.norm(z, 'euclidean', 1, true));
      const sim = tf.div(tf.matMul(zn, zn, false, true), 0.5);
      return tf.mean(tf.logSumExp(sim, 1)) as tf.Scalar;
    });
  },
};

async function time(step: () => Promise<void>, iterations: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await step();
  return (performance.now() - t0) / iterations;
}

function report(label: string, batch: number, ms: number): void {
  const rate = ((batch * 1000) / ms).toFixed(1);
  console.log(`  ${label.padEnd(46)} ${ms.toFixed(0).padStart(7)} ms/step ${rate.padStart(8)} images/s`);
}

/** Project kernels that only make things faster; the others fix wrong results and always stay. */
const speedUps = [tf.Conv2DBackpropInput, tf.Tile, tf.BatchMatMul, tf._FusedMatMul];

function wasmModes(): [string, () => void][] {
  const modes: [string, () => void][] = [['wasm, project kernels', () => registerWasmKernels()]];
  if (!args.includes('--ab')) return modes;
  const withNative = (names: string[]) => () => {
    registerWasmKernels();
    names.forEach(restoreNativeWasmKernel);
  };
  modes.push(['wasm, native kernels for all speed-ups', withNative(speedUps)]);
  modes.push([`wasm, native ${tf.Conv2DBackpropInput} only`, withNative([tf.Conv2DBackpropInput])]);
  modes.push([`wasm, native ${tf.Tile} only`, withNative([tf.Tile])]);
  modes.push([`wasm, native matMul only`, withNative([tf.BatchMatMul, tf._FusedMatMul])]);
  return modes;
}

async function bench(backend: 'wasm' | 'cpu', work: Workload): Promise<void> {
  const step = work.make();
  // Pure JS needs no warm-up, and one ResNet step takes minutes.
  if (backend === 'cpu') return report('cpu (pure JS)', work.batch, await time(step, 1));
  const best = new Map<string, number>();
  const modes = wasmModes();
  for (let round = 0; round < 3; round++) {
    for (const [label, setup] of modes) {
      setup();
      await step(); // warm-up: XNNPACK operators for the kernels now in place, heap growth
      best.set(label, Math.min(best.get(label) ?? Infinity, await time(step, 3)));
    }
  }
  registerWasmKernels();
  for (const [label] of modes) report(label, work.batch, best.get(label) as number);
}

async function profile(): Promise<void> {
  const step = resnet.make();
  await step();
  const p = await tf.profile(step);
  const byKernel = new Map<string, number>();
  for (const k of p.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
  }
  console.log('  per kernel, ResNet step:');
  for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`    ${name.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms`);
  }
}

for (const backend of chosen.length ? chosen : (['wasm', 'cpu'] as const)) {
  const info = await initBackend(backend);
  console.log(`${backend}: ${info.device}`);
  for (const work of [resnet, head]) {
    console.log(` ${work.name}`);
    await bench(backend, work);
  }
  if (backend === 'wasm' && args.includes('--profile')) await profile();
}
