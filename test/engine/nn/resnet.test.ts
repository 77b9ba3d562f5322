import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { dnnlStatus } from '../../../src-main/engine/backend/dnnl';
import {
  backboneInfo,
  createBackbone,
  describeBackbone,
  ResNet18,
  ResNet50,
} from '../../../src-main/engine/nn/backbones';
import { Sequential } from '../../../src-main/engine/nn/module';
import {
  CIFAR_STEM_MAX_SIZE,
  type ResNet,
  resnetStemFor,
  resnetStemLayers,
} from '../../../src-main/engine/nn/resnet';
import { Rng } from '../../../src-main/engine/util/rng';
import { compareWasmToCpu } from '../backend/compare';

beforeEach(async () => {
  await initBackend('cpu');
});

/** PyTorch's output side of a convolution or pooling: ⌊(in + 2·pad − kernel) / stride⌋ + 1. */
const torchSide = (size: number, kernel: number, stride: number, pad: number) =>
  Math.floor((size + 2 * pad - kernel) / stride) + 1;

/**
 * Parameters of torchvision's resnet18 / resnet50 without the fc layer, counted from the architecture
 * (conv weights without bias, batch norm γ and β): the stem's conv (kernel 7 as torchvision, 3 for the
 * CIFAR variant) and BN, then per block its convs and BNs, plus the downsample projection where the
 * block's input and output shapes differ.
 */
function torchvisionParameters(
  kind: 'basic' | 'bottleneck',
  blocks: number[],
  width: number,
  stemKernel: number,
) {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
  const bn = (c: number) => 2 * c;
  let total = conv(stemKernel, 3, width) + bn(width);
  let cin = width;
  blocks.forEach((count, stage) => {
    const planes = width * 2 ** stage;
    for (let i = 0; i < count; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const cout = kind === 'basic' ? planes : 4 * planes;
      total +=
        kind === 'basic'
          ? conv(3, cin, planes) + bn(planes) + conv(3, planes, planes) + bn(planes)
          : conv(1, cin, planes) +
            bn(planes) +
            conv(3, planes, planes) +
            bn(planes) +
            conv(1, planes, cout) +
            bn(cout);
      if (stride !== 1 || cin !== cout) total += conv(1, cin, cout) + bn(cout);
      cin = cout;
    }
  });
  return total;
}

describe('ResNet stems follow the image size', () => {
  it('uses the CIFAR stem up to 64 px inclusive and the ImageNet stem above', () => {
    expect(CIFAR_STEM_MAX_SIZE).toBe(64);
    for (const size of [16, 32, 63, 64]) expect(resnetStemFor(size), `${size}`).toBe('cifar');
    for (const size of [65, 96, 128, 224, 256]) expect(resnetStemFor(size), `${size}`).toBe('imagenet');
    for (const size of [32, 96]) {
      expect((createBackbone('resnet18', 4, new Rng(1), 3, size) as ResNet).stem).toBe(resnetStemFor(size));
    }
  });

  it('the ImageNet stem takes a quarter of the side, with PyTorch’s symmetric paddings (conv 3, pool 1)', () => {
    const layers = resnetStemLayers('imagenet', 3, 4, new Rng(2));
    const stem = new Sequential(layers);
    for (const size of [224, 100, 96, 65]) {
      const y = stem.forward(tf.randomNormal([1, size, size, 3], 0, 1, 'float32', size), false);
      const side = torchSide(torchSide(size, 7, 2, 3), 3, 2, 1);
      expect(y.shape, `${size} px`).toEqual([1, side, side, 4]);
    }
    expect(torchSide(torchSide(224, 7, 2, 3), 3, 2, 1)).toBe(56);
    // The conv pads 3 zeros on every side (tfjs's 'same' would pad 2 before and 3 after).
    const x = tf.randomNormal([2, 20, 20, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const [conv, , , pool] = layers;
    const weight = conv!.namedParameters()[0]![1] as tf.Tensor4D;
    expect(weight.shape).toEqual([7, 7, 3, 4]);
    const zeroPadded = tf.pad(x, [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ]);
    const want = tf.conv2d(zeroPadded, weight, 2, 'valid');
    const got = conv!.forward(x, false);
    expect(got.shape).toEqual([2, 10, 10, 4]);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-5);
    // The pool pads 1 on every side with values that never win (all inputs negative here).
    const negative = tf.sub(tf.abs(tf.randomNormal([1, 10, 10, 2], 0, 1, 'float32', 8)), 5) as tf.Tensor4D;
    const lowPadded = tf.pad(
      negative,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      -Infinity,
    );
    const pooled = pool!.forward(negative, false);
    expect(pooled.shape).toEqual([1, 5, 5, 2]);
    expect(Array.from(pooled.dataSync())).toEqual(
      Array.from(tf.maxPool(lowPadded, 3, 2, 'valid').dataSync()),
    );
    stem.dispose();
  });

  it('the CIFAR stem keeps the side: a 3×3 stride-1 conv and no max-pool', () => {
    const layers = resnetStemLayers('cifar', 3, 4, new Rng(3));
    expect(layers.map((m) => m.constructor.name)).toEqual(['Conv2d', 'BatchNorm', 'ReLU']);
    expect(layers[0]!.namedParameters()[0]![1].shape).toEqual([3, 3, 3, 4]);
    const stem = new Sequential(layers);
    expect(stem.forward(tf.zeros([1, 32, 32, 3]), false).shape).toEqual([1, 32, 32, 4]);
    stem.dispose();
  });

  it('says its stem in the backbone descriptions', () => {
    expect(backboneInfo.resnet18.description).toMatch(
      /up to 64 px the CIFAR stem.*above it the ImageNet stem/,
    );
    expect(backboneInfo.resnet50.description).toMatch(
      /bottleneck.*\[3, 4, 6, 3\].*CIFAR stem.*ImageNet stem/,
    );
    expect(describeBackbone('resnet18', 32)).toBe(
      'ResNet-18, CIFAR stem (3×3 stride-1 conv, no max-pool) for 32-px images',
    );
    expect(describeBackbone('resnet50', 96)).toMatch(/^ResNet-50, ImageNet stem \(7×7 stride-2 conv/);
    const net = new ResNet18(4, new Rng(1), 3, 128);
    expect(net.description).toBe(
      'ResNet-18, ImageNet stem (7×7 stride-2 conv, 3×3 stride-2 max-pool), 32 features',
    );
    net.dispose();
  });

  it('ResNet-18 has torchvision’s resnet18 parameters less fc at 224 px, and the CIFAR count at 32 px', () => {
    const imagenet = new ResNet18(64, new Rng(1), 3, 224);
    expect(imagenet.parameterCount()).toBe(torchvisionParameters('basic', [2, 2, 2, 2], 64, 7));
    // torchvision resnet18: 11,689,512 parameters, of which fc (512·1000 + 1000) 513,000.
    expect(imagenet.parameterCount()).toBe(11_689_512 - 513_000);
    imagenet.dispose();
    const cifar = new ResNet18(64, new Rng(1));
    expect(cifar.parameterCount()).toBe(torchvisionParameters('basic', [2, 2, 2, 2], 64, 3));
    cifar.dispose();
  });
});

describe('ResNet-50', () => {
  it('at width 64 has torchvision’s resnet50 parameters less fc (23,508,032) and 2048 features', () => {
    const net = createBackbone('resnet50', 64, new Rng(1), 3, 224);
    const counted = torchvisionParameters('bottleneck', [3, 4, 6, 3], 64, 7);
    expect(counted).toBe(23_508_032);
    expect(net.parameterCount()).toBe(counted);
    expect(net.outputDim).toBe(2048);
    net.dispose();
  });

  it('with the CIFAR stem differs only by the 3×3 stem conv; features are 32 × width', () => {
    const net = new ResNet50(64, new Rng(1), 3, 32);
    expect(net.parameterCount()).toBe(torchvisionParameters('bottleneck', [3, 4, 6, 3], 64, 3));
    net.dispose();
    const small = new ResNet50(4, new Rng(2), 3, 32);
    expect(small.outputDim).toBe(128);
    expect(small.forward(tf.randomNormal([2, 32, 32, 3]), true).shape).toEqual([2, 128]);
    small.dispose();
  });

  for (const size of [32, 96]) {
    it(`at small width trains one step at ${size} px: every parameter, the stem included, gets a gradient and the loss falls`, () => {
      const net = new ResNet50(4, new Rng(3), 3, size);
      const x = tf.randomNormal([4, size, size, 3], 0, 1, 'float32', 11);
      const target = tf.randomNormal([4, net.outputDim], 0, 1, 'float32', 12);
      const loss = () => tf.mean(tf.square(tf.sub(net.forward(x, true), target))) as tf.Scalar;
      const vars = net.parameters();
      const { value, grads } = tf.variableGrads(loss, vars);
      const before = value.dataSync()[0]!;
      for (const [name, v] of net.namedParameters()) {
        const g = grads[v.name];
        expect(g, name).toBeDefined();
        expect(tf.sum(tf.abs(g!)).dataSync()[0], name).toBeGreaterThan(0);
      }
      const stemWeight = net.namedParameters()[0]!;
      expect(stemWeight[0]).toBe('net.0.weight');
      expect(stemWeight[1].shape).toEqual(size > 64 ? [7, 7, 3, 4] : [3, 3, 3, 4]);
      // A small step: at width 4 and batch 4 the 16 bottleneck blocks make the loss sharply curved.
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 1e-4)));
      const after = loss().dataSync()[0]!;
      expect(after).toBeLessThan(before);
      net.dispose();
    });
  }
});

describe('the ImageNet stem on the wasm backend (oneDNN where built, else WebAssembly) matches plain cpu', () => {
  const addon = dnnlStatus().addon;
  afterEach(() => vi.restoreAllMocks());

  it('7×7 stride-2 convolution with padding 3: output and both gradients, run natively where built', async () => {
    const spy = addon ? vi.spyOn(addon, 'convolution') : null;
    const error = await compareWasmToCpu(() => {
      const x = tf.randomNormal([2, 30, 30, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([7, 7, 3, 8], 0, 0.2, 'float32', 2) as tf.Tensor4D;
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 3);
      const y = f(x, w);
      const v = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), v)))([x, w]);
      return [y, dx!, dw!];
    });
    expect(error).toBeLessThan(1e-4);
    // Forward (0), input gradient (1) and filter gradient (2) all went to oneDNN, none fell back.
    if (spy) expect([...new Set(spy.mock.calls.map((call) => call[0]))].sort()).toEqual([0, 1, 2]);
  });

  it('3×3 stride-2 max-pool with padding 1: output and gradient, all-negative windows included', async () => {
    for (const shift of [0, -4]) {
      const error = await compareWasmToCpu(() => {
        const x = tf.add(tf.randomNormal([2, 15, 15, 4], 0, 1, 'float32', 4), shift) as tf.Tensor4D;
        const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 2, 1);
        const dy = tf.randomNormal(pool(x).shape, 0, 1, 'float32', 5);
        return [pool(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), dy)))(x)];
      });
      expect(error, `shift ${shift}`).toBeLessThan(1e-6);
    }
  });

  for (const Net of [ResNet18, ResNet50]) {
    it(`${Net.name} with the ImageNet stem: features and every parameter gradient`, async () => {
      const error = await compareWasmToCpu(() => {
        const net = new Net(4, new Rng(9), 3, 72);
        const x = tf.randomNormal([2, 72, 72, 3], 0, 1, 'float32', 6);
        const v = tf.randomNormal([2, net.outputDim], 0, 1, 'float32', 7);
        const vars = net.parameters();
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(net.forward(x, true), v)) as tf.Scalar,
          vars,
        );
        const out = [value, net.forward(x, false), ...vars.map((p) => grads[p.name]!)];
        net.dispose();
        return out;
      });
      expect(error).toBeLessThan(1e-3);
    });
  }
});
