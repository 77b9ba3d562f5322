import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import {
  dnnlStatus,
  setNativeKernelsEnabled,
  setOpenMpDefaults,
} from '../../../src-main/engine/backend/dnnl';
import { batchNormTrain } from '../../../src-main/engine/backend/kernels/batch-norm-train';
import { registerWasmKernels, restoreNativeWasmKernel } from '../../../src-main/engine/backend/kernels';
import { compareWasmToCpu } from './compare';

const addon = dnnlStatus().addon;

describe('the native addon', () => {
  // CI installs libdnnl-dev and sets this, so the native kernels cannot silently go untested there.
  it.runIf(process.env.CONTRASTLAB_REQUIRE_NATIVE === '1')('is built and loads', () => {
    expect(dnnlStatus().why).toBe('');
    expect(addon?.version()).toMatch(/^\d+\.\d+\.\d+ \S+/);
  });

  it("sets OpenMP's spin count unless the user chose a wait policy", () => {
    const env: NodeJS.ProcessEnv = {};
    setOpenMpDefaults(env);
    expect(env.GOMP_SPINCOUNT).toBe('10000');
    for (const chosen of [{ OMP_WAIT_POLICY: 'passive' }, { GOMP_SPINCOUNT: '5' }]) {
      const own: NodeJS.ProcessEnv = { ...chosen };
      setOpenMpDefaults(own);
      expect(own).toEqual(chosen);
    }
  });

  it('names the reason when it is switched off', () => {
    expect(dnnlStatus().addon === null).toBe(dnnlStatus().why !== '');
  });
});

/** y = conv(x, w) and the gradients of Σ v·y for x and w (tfjs has none for dilated convolutions), on seeded inputs. */
function convWithGrads(
  x: [number, number, number, number],
  k: number,
  co: number,
  stride: number,
  pad: 'same' | 'valid' | number,
  dilation = 1,
): tf.Tensor[] {
  const xs = tf.randomNormal(x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, x[3], co], 0, 0.3, 'float32', 2) as tf.Tensor4D;
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, 'NHWC', dilation);
  const y = f(xs, w);
  if (dilation > 1) return [y];
  const v = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), v)))([xs, w]);
  return [y, dx!, dw!];
}

describe.skipIf(!addon)('native convolutions (oneDNN) match the cpu backend, forward and gradients', () => {
  const cases: [
    string,
    [number, number, number, number],
    number,
    number,
    number,
    'same' | 'valid' | number,
    number?,
  ][] = [
    ['ResNet stem, 3 → 16 channels', [4, 16, 16, 3], 3, 16, 1, 'same'],
    ['3×3, 16 → 16', [4, 12, 12, 16], 3, 16, 1, 1],
    ['3×3 stride 2, 16 → 32', [4, 12, 12, 16], 3, 32, 2, 'same'],
    ['1×1 stride 2 shortcut', [4, 12, 12, 16], 1, 32, 2, 'valid'],
    ['5×5 valid, odd sizes', [3, 11, 9, 5], 5, 7, 1, 'valid'],
    ['3×3 dilated 2 (forward only)', [2, 13, 13, 4], 3, 6, 1, 'same', 2],
  ];
  for (const [name, x, k, co, stride, pad, dilation] of cases) {
    it(name, async () => {
      expect(await compareWasmToCpu(() => convWithGrads(x, k, co, stride, pad, dilation))).toBeLessThan(1e-4);
    });
  }
});

describe.skipIf(!addon)('cases the native convolutions leave to the fallback', () => {
  it("a transposed convolution whose dy does not match the output shape it asks for (tfjs's result)", async () => {
    const error = await compareWasmToCpu(() => {
      const dy = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
      return tf.conv2dTranspose(dy, w, [1, 9, 9, 3], 2, 'same');
    });
    expect(error).toBeLessThan(1e-5);
  });
});

describe.skipIf(!addon)('kernel registration', () => {
  afterEach(() => vi.restoreAllMocks());

  it("is idempotent, and puts the native kernels back after tfjs-backend-wasm's own was restored", async () => {
    await initBackend('wasm');
    const funcs = () =>
      [tf.BatchMatMul, tf.Conv2DBackpropInput].map((k) => tf.getKernel(k, 'wasm')!.kernelFunc);
    const before = funcs();
    registerWasmKernels();
    registerWasmKernels();
    expect(funcs()).toEqual(before);
    const spy = vi.spyOn(addon!, 'convolution');
    const transpose = () =>
      tf.tidy(() =>
        tf.conv2dTranspose(
          tf.ones([1, 4, 4, 2]) as tf.Tensor4D,
          tf.ones([3, 3, 2, 2]) as tf.Tensor4D,
          [1, 4, 4, 2],
          1,
          'same',
        ),
      );
    restoreNativeWasmKernel(tf.Conv2DBackpropInput);
    try {
      transpose();
      expect(spy).not.toHaveBeenCalled(); // tfjs's own kernel, not one of ours
    } finally {
      registerWasmKernels();
    }
    expect(funcs()).toEqual(before);
    transpose();
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe.skipIf(!addon)('the native kernels are the ones that run', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a conv + batch-norm training step calls the addon for all three convolutions and the batch-norm passes', async () => {
    await initBackend('wasm');
    const spies = (
      [
        'convolution',
        'batchNormStats',
        'batchNormNormalize',
        'batchNormGradSums',
        'batchNormInputGrad',
      ] as const
    ).map((name) => vi.spyOn(addon!, name));
    tf.tidy(() => {
      const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1);
      const w = tf.randomNormal([3, 3, 4, 8], 0, 0.3, 'float32', 2);
      const gamma = tf.ones([8]);
      const beta = tf.zeros([8]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          batchNormTrain(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), gamma, beta, 1e-5, true).y,
        ),
      )([x, w]);
    });
    const kinds = spies[0]!.mock.calls.map((call) => call[0]).sort();
    expect(kinds).toEqual([0, 1, 2]); // forward, input gradient, filter gradient
    for (const spy of spies.slice(1)) expect(spy).toHaveBeenCalledTimes(1);
  });

  it('BatchMatMul runs natively, transposed and broadcast operands included', async () => {
    await initBackend('wasm');
    const spy = vi.spyOn(addon!, 'matmul');
    const error = await compareWasmToCpu(() => {
      const a = tf.randomNormal([3, 5, 7], 0, 1, 'float32', 1);
      const b = tf.randomNormal([3, 7, 4], 0, 1, 'float32', 2);
      const w = tf.randomNormal([4, 7], 0, 1, 'float32', 3);
      return [
        tf.matMul(a, b),
        tf.matMul(a, w, false, true),
        tf.matMul(b, a, true, true),
        tf.matMul(tf.reshape(a, [15, 7]), b.reshape([21, 4]).slice(0, 7)),
      ];
    });
    expect(error).toBeLessThan(1e-5);
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(4);
  });

  it('switched off, the WebAssembly kernels run instead', async () => {
    await initBackend('wasm');
    const spy = vi.spyOn(addon!, 'convolution');
    setNativeKernelsEnabled(false);
    try {
      tf.tidy(() =>
        tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 2]) as tf.Tensor4D, 1, 'same'),
      );
    } finally {
      setNativeKernelsEnabled(true);
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('picks an optimised oneDNN kernel, not the reference one', () => {
    // [N, H, W, C, KH, KW, OC, OH, OW, stride h/w, dilation h/w, pad top/left/bottom/right]
    const dims = Int32Array.from([8, 16, 16, 16, 3, 3, 16, 16, 16, 1, 1, 1, 1, 1, 1, 1, 1]);
    for (const kind of [0, 1, 2]) expect(addon!.implementation(kind, dims)).not.toMatch(/^ref/);
  });
});

describe.skipIf(!addon)('the addon refuses bad arguments with a clear error', () => {
  const dims = Int32Array.from([1, 4, 4, 2, 3, 3, 2, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1]);

  it('a tensor smaller than its shape', () => {
    const x = new Float32Array(32);
    expect(() => addon!.convolution(0, x, new Float32Array(36), new Float32Array(31), dims)).toThrow(
      'out holds 31 values, the shape needs 32',
    );
  });

  it('wrong shapes, kinds and types', () => {
    const f = new Float32Array(64);
    expect(() => addon!.convolution(0, f, f, f, Int32Array.from([1, 2, 3]))).toThrow(
      'dims must hold 17 values',
    );
    expect(() => addon!.convolution(3, f, f, f, dims)).toThrow('kind must be 0');
    expect(() => addon!.convolution(0, new Float64Array(64) as never, f, f, dims)).toThrow(
      'a must be a Float32Array',
    );
    const bad = Int32Array.from(dims);
    bad[9] = 0;
    expect(() => addon!.convolution(0, f, f, f, bad)).toThrow('must be positive');
  });

  it('a shape oneDNN cannot take', () => {
    const inconsistent = Int32Array.from(dims);
    inconsistent[7] = 9; // an output height the padding and stride cannot give
    const f = new Float32Array(1024);
    expect(() => addon!.convolution(0, f, f, f, inconsistent)).toThrow(/^oneDNN: /);
  });

  it('matrix products with shapes that do not fit', () => {
    const f = new Float32Array(6);
    expect(() => addon!.matmul(f, f, new Float32Array(3), Int32Array.from([1, 1, 2, 3, 2, 0, 0]))).toThrow(
      'out holds 3 values, the shape needs 4',
    );
    expect(() =>
      addon!.matmul(new Float32Array(12), f, new Float32Array(4), Int32Array.from([1, 1, 2, 3, 2, 0, 0])),
    ).toThrow('a holds 12 values, the shape needs 6');
    expect(() => addon!.matmul(f, f, f, Int32Array.from([2, 3, 1, 1, 1, 0, 0]))).toThrow(
      'batch sizes must be equal',
    );
  });

  it('batch-norm offsets outside the heap', () => {
    const heap = new Uint8Array(1024);
    expect(() => addon!.batchNormStats(heap, 0, 64, 4, 1024 - 8, 0)).toThrow(
      'sum: offset 1016 (4 values) lies outside the heap',
    );
    expect(() => addon!.batchNormStats(heap, 2, 1, 4, 0, 64)).toThrow('x: offset 2');
  });
});
