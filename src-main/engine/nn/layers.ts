import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { batchNormTrain, batchNormTrainSupported } from '../backend/kernels/batch-norm-train';
import { scaledSum } from '../backend/kernels/scaled-sum';
import type { Rng } from '../util/rng';

/** Kaiming-normal (fan-out, ReLU gain) as torchvision's ResNet initialises convolutions. */
function kaimingNormal(shape: number[], fan: number, rng: Rng): tf.Tensor {
  const std = Math.sqrt(2 / fan);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
  return tf.tensor(data, shape);
}

/** PyTorch's default Linear/Conv init: U(−1/√fan_in, 1/√fan_in). */
function uniformFanIn(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(-bound, bound);
  return tf.tensor(data, shape);
}

/** 2-D convolution, NHWC, 'same' padding, no bias (always followed by batch norm here). */
export class Conv2d extends Module {
  private readonly weight: tf.Variable;

  constructor(
    inChannels: number,
    outChannels: number,
    kernel: number,
    private readonly stride: number,
    rng: Rng,
  ) {
    super();
    this.weight = this.addParam(
      'weight',
      kaimingNormal([kernel, kernel, inChannels, outChannels], kernel * kernel * outChannels, rng),
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.conv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.stride, 'same');
  }
}

/**
 * Batch normalisation over every axis but the last (works for NHWC maps and [N, D] vectors).
 * Training mode normalises with batch statistics and updates running averages; eval mode uses them.
 * In training, on the backends that have them (wasm, cpu, vulkan), one fused kernel does the
 * normalisation and one its closed-form gradient (backend/kernels/batch-norm-train.ts); elsewhere the
 * tfjs ops do.
 */
export class BatchNorm extends Module {
  /** Use the fused training kernels where the backend has them; false forces the tfjs ops (for tests). */
  static fusedKernels = true;

  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;
  private readonly runningMean: tf.Variable;
  private readonly runningVar: tf.Variable;

  constructor(
    channels: number,
    private readonly momentum = 0.1,
    private readonly eps = 1e-5,
    affine = true,
    shift = affine,
  ) {
    super();
    // Without affine parameters (SimCLR v2's last head layer) γ=1, β=0 are constants, kept as buffers;
    // with a scale and no shift (SimCLR's released head, center=False) only β is.
    this.gamma = affine
      ? this.addParam('gamma', tf.ones([channels]))
      : this.addBuffer('gamma', tf.ones([channels]));
    this.beta = shift
      ? this.addParam('beta', tf.zeros([channels]))
      : this.addBuffer('beta', tf.zeros([channels]));
    this.runningMean = this.addBuffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.addBuffer('running_var', tf.ones([channels]));
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    if (!training) return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.eps);
    if (this.fused()) {
      const { y, mean, variance } = batchNormTrain(x, this.gamma, this.beta, this.eps, false);
      this.updateRunningStats(x, mean, variance);
      return y;
    }
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    const { mean, variance } = tf.moments(x, axes);
    this.updateRunningStats(x, mean, variance);
    return tf.batchNorm(x, mean, variance, this.beta, this.gamma, this.eps);
  }

  /** relu(forward(x) + residual), in one kernel in training where the backend has it. */
  override forwardReLU(x: tf.Tensor, training: boolean, residual?: tf.Tensor): tf.Tensor {
    if (training && this.fused()) {
      const { y, mean, variance } = batchNormTrain(x, this.gamma, this.beta, this.eps, true, residual);
      this.updateRunningStats(x, mean, variance);
      return y;
    }
    const y = this.forward(x, training);
    return tf.relu(residual ? tf.add(y, residual) : y);
  }

  private fused(): boolean {
    return BatchNorm.fusedKernels && batchNormTrainSupported();
  }

  private updateRunningStats(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): void {
    // Running statistics use the unbiased variance, as PyTorch does.
    const n = x.size / x.shape[x.shape.length - 1]!;
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(scaledSum(this.runningMean, 1 - m, mean, m));
      this.runningVar.assign(scaledSum(this.runningVar, 1 - m, variance, (m * n) / Math.max(n - 1, 1)));
    });
  }
}

/** Fully connected layer. */
export class Linear extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;

  constructor(inFeatures: number, outFeatures: number, rng: Rng, bias = true) {
    super();
    this.weight = this.addParam('weight', uniformFanIn([inFeatures, outFeatures], inFeatures, rng));
    this.bias = bias ? this.addParam('bias', uniformFanIn([outFeatures], inFeatures, rng)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}

export class ReLU extends Module {
  override readonly isReLU = true;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/** Global average pooling NHWC → [N, C]. */
export class GlobalAvgPool extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2]);
  }
}
