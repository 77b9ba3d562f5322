import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../../src-main/engine/backend';
import { compareWasmToCpu } from './compare';
import {
  mlpLoss,
  mlpParams,
  type Params,
  resnet18Loss,
  resnet18Params,
  smallConvNetLoss,
  smallConvNetParams,
} from './nets';

type Loss<X extends tf.Tensor> = (p: Params, x: X, labels: tf.Tensor1D) => tf.Scalar;

/** Loss and the gradient of every parameter, in a fixed order. */
function lossAndGrads<X extends tf.Tensor>(
  params: Params,
  loss: Loss<X>,
  x: X,
  labels: tf.Tensor1D,
): tf.Tensor[] {
  const names = Object.keys(params);
  const f = (...ts: tf.Tensor[]) => loss(Object.fromEntries(names.map((n, i) => [n, ts[i]])), x, labels);
  const { value, grads } = tf.valueAndGrads(f)(names.map((n) => params[n]));
  return [value, ...grads];
}

function labels(n: number, classes: number, seed: number): tf.Tensor1D {
  return tf.cast(tf.floor(tf.randomUniform([n], 0, classes, 'float32', seed)), 'int32') as tf.Tensor1D;
}

describe('training gradients on wasm match the cpu backend', () => {
  it('small conv + BN + relu network (residual, strided, pad/slice, pools, concat, gather)', async () => {
    const err = await compareWasmToCpu(() =>
      lossAndGrads(
        smallConvNetParams(1),
        smallConvNetLoss,
        tf.randomNormal([6, 12, 12, 3], 0, 1, 'float32', 2) as tf.Tensor4D,
        labels(6, 10, 3),
      ),
    );
    expect(err).toBeLessThan(1e-3);
  });

  it('2-layer MLP', async () => {
    const err = await compareWasmToCpu(() =>
      lossAndGrads(
        mlpParams(4, 20, 32, 10),
        mlpLoss,
        tf.randomNormal([16, 20], 0, 1, 'float32', 5) as tf.Tensor2D,
        labels(16, 10, 6),
      ),
    );
    expect(err).toBeLessThan(1e-4);
  });

  it('CIFAR ResNet-18 (width 4, 16x16 inputs)', async () => {
    const err = await compareWasmToCpu(() =>
      lossAndGrads(
        resnet18Params(7, 4),
        resnet18Loss,
        tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 8) as tf.Tensor4D,
        labels(4, 10, 9),
      ),
    );
    expect(err).toBeLessThan(1e-3);
  });
});

describe('no tensor leaks on wasm', () => {
  it('keeps tensor and backend buffer counts flat over 5 SGD steps of the conv net', async () => {
    await initBackend('wasm');
    const vars = Object.fromEntries(
      Object.entries(smallConvNetParams(10)).map(([k, t]) => [k, tf.variable(t, true, `leak.${k}`)]),
    );
    const x = tf.randomNormal([4, 12, 12, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = labels(4, 10, 12);
    const counts: [number, number][] = [];
    for (let step = 0; step < 5; step++) {
      const { value, grads } = tf.variableGrads(() => smallConvNetLoss(vars, x, y));
      tf.tidy(() => {
        for (const [name, g] of Object.entries(grads)) {
          const v = vars[name.replace(/^leak\./, '')];
          v.assign(tf.sub(v, tf.mul(0.01, g)));
        }
      });
      await value.data(); // the step really ran
      tf.dispose([value, ...Object.values(grads)]);
      counts.push([tf.memory().numTensors, tf.engine().backend.numDataIds()]);
    }
    expect(new Set(counts.map((c) => c.join('/'))).size, JSON.stringify(counts)).toBe(1);
  });
});
