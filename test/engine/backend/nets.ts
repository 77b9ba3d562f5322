import * as tf from '@tensorflow/tfjs-core';

/**
 * Small functional networks that exercise the kernels training needs (conv, batch norm via moments,
 * relu, add, pooling, matMul, softmax, gather, concat, slice, pad, transpose). Test fixtures only:
 * the project's real backbones live in engine/nn. Parameters are plain tensors in a fixed order,
 * drawn from seeded generators so the cpu and wasm backends see identical values.
 */
export type Params = Record<string, tf.Tensor>;

class ParamBuilder {
  readonly params: Params = {};
  constructor(private seed: number) {}

  conv(name: string, k: number, cin: number, cout: number): void {
    const std = Math.sqrt(2 / (k * k * cin));
    this.params[name] = tf.randomNormal([k, k, cin, cout], 0, std, 'float32', this.seed++);
  }

  bn(name: string, c: number): void {
    // Not exactly 1 and 0, so the gamma and beta gradients are not trivially symmetric.
    this.params[`${name}.g`] = tf.add(1, tf.randomNormal([c], 0, 0.1, 'float32', this.seed++));
    this.params[`${name}.b`] = tf.randomNormal([c], 0, 0.1, 'float32', this.seed++);
  }

  dense(name: string, cin: number, cout: number): void {
    this.params[`${name}.w`] = tf.randomNormal([cin, cout], 0, Math.sqrt(1 / cin), 'float32', this.seed++);
    this.params[`${name}.b`] = tf.zeros([cout]);
  }
}

export function batchNorm(x: tf.Tensor4D, p: Params, name: string): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(
    x,
    mean,
    variance,
    p[`${name}.b`] as tf.Tensor1D,
    p[`${name}.g`] as tf.Tensor1D,
    1e-5,
  ) as tf.Tensor4D;
}

function dense(x: tf.Tensor2D, p: Params, name: string): tf.Tensor2D {
  return tf.add(tf.matMul(x, p[`${name}.w`] as tf.Tensor2D), p[`${name}.b`]);
}

/** Mean negative log-likelihood, picking each row's label with a batched gather. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const picked = tf.gather(tf.logSoftmax(logits), labels, 1, 1);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// A small conv + BN + relu network with a strided residual block.

export function smallConvNetParams(seed: number): Params {
  const b = new ParamBuilder(seed);
  b.conv('c1', 3, 3, 8);
  b.bn('bn1', 8);
  b.conv('c2', 3, 8, 16);
  b.bn('bn2', 16);
  b.conv('c3', 3, 16, 16);
  b.bn('bn3', 16);
  b.conv('sc', 1, 8, 16);
  b.dense('fc', 32, 10);
  return b.params;
}

export function smallConvNetLoss(p: Params, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  const conv = (h: tf.Tensor4D, name: string, stride: number, pad: 'same' | 'valid' = 'same') =>
    tf.conv2d(h, p[name] as tf.Tensor4D, stride, pad);
  const h1 = tf.relu(batchNorm(conv(x, 'c1', 1), p, 'bn1'));
  let h2 = tf.relu(batchNorm(conv(h1, 'c2', 2), p, 'bn2'));
  h2 = batchNorm(conv(h2, 'c3', 1), p, 'bn3');
  let h = tf.relu(tf.add(h2, conv(h1, 'sc', 2, 'valid'))) as tf.Tensor4D;
  // Pad then crop back: exercises PadV2 and Slice (and their gradients, Slice and PadV2).
  h = tf.slice(
    tf.pad(h, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]),
    [0, 1, 1, 0],
    h.shape,
  ) as tf.Tensor4D;
  const avg = tf.mean(tf.avgPool(h, 2, 2, 'valid'), [1, 2]) as tf.Tensor2D;
  const max = tf.max(tf.maxPool(h, 3, 2, 'same'), [1, 2]) as tf.Tensor2D;
  const feat = tf.transpose(tf.transpose(tf.concat([avg, max], 1)));
  const logits = dense(feat, p, 'fc');
  const entropy = tf.mean(tf.sum(tf.mul(tf.softmax(logits), tf.logSoftmax(logits)), 1));
  return tf.add(crossEntropy(logits, labels), tf.mul(0.1, entropy));
}

// ---------------------------------------------------------------------------------------------
// A 2-layer MLP.

export function mlpParams(seed: number, inputs: number, hidden: number, classes: number): Params {
  const b = new ParamBuilder(seed);
  b.dense('l1', inputs, hidden);
  b.dense('l2', hidden, classes);
  return b.params;
}

export function mlpLoss(p: Params, x: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return crossEntropy(dense(tf.relu(dense(x, p, 'l1')), p, 'l2'), labels);
}

// ---------------------------------------------------------------------------------------------
// CIFAR ResNet-18 (3x3 stem, no max-pool, 4 stages of 2 basic blocks), with a width parameter.

const STAGES = [
  [1, 1],
  [2, 2],
  [4, 2],
  [8, 2],
] as const; // [width multiple, first stride]

export function resnet18Params(seed: number, width: number, classes = 10): Params {
  const b = new ParamBuilder(seed);
  b.conv('stem', 3, 3, width);
  b.bn('stem.bn', width);
  let cin = width;
  STAGES.forEach(([mult, stride], s) => {
    const cout = width * mult;
    for (let i = 0; i < 2; i++) {
      const name = `s${s}b${i}`;
      const blockIn = i === 0 ? cin : cout;
      b.conv(`${name}.c1`, 3, blockIn, cout);
      b.bn(`${name}.bn1`, cout);
      b.conv(`${name}.c2`, 3, cout, cout);
      b.bn(`${name}.bn2`, cout);
      if (i === 0 && (stride !== 1 || blockIn !== cout)) {
        b.conv(`${name}.sc`, 1, blockIn, cout);
        b.bn(`${name}.scbn`, cout);
      }
    }
    cin = cout;
  });
  b.dense('fc', cin, classes);
  return b.params;
}

export function resnet18Loss(p: Params, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  const convBn = (h: tf.Tensor4D, name: string, bn: string, stride: number) =>
    batchNorm(tf.conv2d(h, p[name] as tf.Tensor4D, stride, 'same'), p, bn);
  let h = tf.relu(convBn(x, 'stem', 'stem.bn', 1));
  STAGES.forEach(([, stride], s) => {
    for (let i = 0; i < 2; i++) {
      const name = `s${s}b${i}`;
      const st = i === 0 ? stride : 1;
      const r = convBn(tf.relu(convBn(h, `${name}.c1`, `${name}.bn1`, st)), `${name}.c2`, `${name}.bn2`, 1);
      const shortcut = p[`${name}.sc`] ? convBn(h, `${name}.sc`, `${name}.scbn`, st) : h;
      h = tf.relu(tf.add(r, shortcut)) as tf.Tensor4D;
    }
  });
  return crossEntropy(dense(tf.mean(h, [1, 2]) as tf.Tensor2D, p, 'fc'), labels);
}
