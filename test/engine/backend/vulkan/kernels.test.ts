import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { vulkanDevice } from '../../../../src-main/engine/backend/vulkan';
import { compareVulkanToCpu, evaluateOn, vulkanAvailable } from './vulkan-helpers';

// Inputs come from seeded tf.random* ops, which generate their values in JS: both backends see the same.
const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const positive = (shape: number[], seed: number) => tf.randomUniform(shape, 0.1, 4, 'float32', seed);

describe('the Vulkan device', () => {
  // CI installs Mesa's lavapipe and sets this, so the shaders cannot silently go untested there.
  it.runIf(process.env.CONTRASTLAB_REQUIRE_VULKAN === '1')('opens', () => {
    const device = vulkanDevice();
    expect(device.addon ? '' : device.why).toBe('');
  });
});

describe.runIf(vulkanAvailable)('vulkan kernels against cpu, each on its shader', () => {
  const cases: [string, () => tf.Tensor | tf.Tensor[]][] = [
    ['add, broadcasting a row', () => tf.add(normal([2, 3, 4], 1), normal([4], 2))],
    ['sub, broadcasting a column', () => tf.sub(normal([3, 1], 1), normal([2, 3, 5], 2))],
    ['mul by a scalar', () => tf.mul(normal([7, 9], 1), tf.scalar(0.5))],
    ['div', () => tf.div(normal([4, 6], 1), positive([4, 6], 2))],
    [
      'maximum and minimum',
      () => [tf.maximum(normal([33], 1), normal([33], 2)), tf.minimum(normal([5, 1], 3), normal([1, 5], 4))],
    ],
    ['squared difference', () => tf.squaredDifference(normal([2, 2, 2, 2, 2, 3], 1), normal([3], 2))],
    [
      'relu, exp, neg, abs, square',
      () => {
        const x = normal([300], 1);
        return [tf.relu(x), tf.exp(x), tf.neg(x), tf.abs(x), tf.square(x)];
      },
    ],
    [
      'log, sqrt, rsqrt, reciprocal',
      () => {
        const x = positive([301], 1);
        return [tf.log(x), tf.sqrt(x), tf.rsqrt(x), tf.reciprocal(x)];
      },
    ],
    [
      'sigmoid and tanh, past where exp overflows',
      () => {
        const x = tf.mul(normal([200], 1), 40);
        return [tf.sigmoid(x), tf.tanh(x)];
      },
    ],
    [
      'casts between float32, int32 and bool',
      () => {
        const x = tf.mul(normal([50], 1), 5);
        const ints = tf.cast(x, 'int32');
        return [
          ints,
          tf.cast(ints, 'float32'),
          tf.cast(x, 'bool'),
          tf.cast(tf.cast(x, 'bool'), 'int32'),
          tf.cast(tf.cast(x, 'bool'), 'float32'),
        ];
      },
    ],
    [
      'fill, zerosLike, onesLike',
      () => [tf.fill([3, 4], 2.5), tf.zerosLike(normal([5], 1)), tf.onesLike(normal([2, 2], 1))],
    ],
    [
      'reshape and identity share the buffer',
      () => [tf.reshape(normal([2, 6], 1), [3, 4]), tf.clone(normal([4], 2))],
    ],
    ['transpose, 4-D', () => tf.transpose(normal([2, 3, 4, 5], 1), [3, 1, 0, 2])],
    ['transpose of int32', () => tf.transpose(tf.cast(tf.mul(normal([3, 4], 1), 9), 'int32'))],
    ['slice, 3-D', () => tf.slice(normal([4, 5, 6], 1), [1, 2, 0], [2, -1, 3])],
    ['sum over the last axis, with keepDims', () => tf.sum(normal([6, 700], 1), -1, true)],
    ['sum over leading axes (transposed first)', () => tf.sum(normal([4, 3, 5], 1), [0, 2])],
    ['sum of everything', () => tf.sum(normal([1000], 1))],
    [
      'sum, mean, max and min of rows longer than one workgroup takes (two passes)',
      () => {
        const x = positive([3, 40000], 1);
        return [tf.sum(x, 1), tf.mean(x), tf.max(x, 1), tf.min(tf.reshape(x, [120000]))];
      },
    ],
    [
      'mean, max and min over axes',
      () => {
        const x = normal([3, 4, 5], 1);
        return [tf.mean(x, [1]), tf.max(x, [0, 1]), tf.min(x, 2)];
      },
    ],
    ['matMul', () => tf.matMul(normal([17, 33], 1), normal([33, 19], 2))],
    ['matMul transposed both ways', () => tf.matMul(normal([33, 17], 1), normal([19, 33], 2), true, true)],
    ['batched matMul, one side shared', () => tf.matMul(normal([3, 5, 7], 1), normal([7, 4], 2))],
    [
      'batched matMul, 4-D batches (thin: direct)',
      () => tf.matMul(normal([2, 3, 8, 6], 1), normal([2, 3, 8, 5], 2), true),
    ],
    [
      'batched matMul, tiled, transposed',
      () => tf.matMul(normal([3, 40, 20], 1), normal([3, 33, 40], 2), true, true),
    ],
    [
      'batched colour transforms (3 × 3 per image: direct)',
      () => tf.matMul(normal([4, 100, 3], 1), normal([4, 3, 3], 2)),
    ],
    ['tile', () => tf.tile(normal([2, 1, 3], 1), [2, 4, 1])],
    [
      'addN of four',
      () => tf.addN([normal([3, 5], 1), normal([3, 5], 2), normal([3, 5], 3), normal([3, 5], 4)]),
    ],
    [
      'softmax over the last axis, large logits too',
      () => [tf.softmax(normal([6, 33], 1)), tf.softmax(tf.mul(normal([2, 3, 7], 2), 30))],
    ],
    [
      'stack and unstack along an inner axis, float32 and int32',
      () => {
        const ints = tf.cast(tf.mul(normal([3, 4], 3), 9), 'int32');
        return [
          tf.stack([normal([3, 4], 1), normal([3, 4], 2)], 1),
          tf.stack([ints, ints, ints], -1),
          ...tf.unstack(normal([3, 4, 2], 4), 1),
        ];
      },
    ],
    [
      'pad with a constant, float32 and int32 zeros',
      () => [
        tf.pad(
          normal([2, 3, 4], 1),
          [
            [0, 1],
            [2, 0],
            [1, 1],
          ],
          -2.5,
        ),
        tf.pad(tf.cast(tf.mul(normal([3, 2], 2), 9), 'int32'), [
          [1, 2],
          [0, 3],
        ]),
      ],
    ],
    [
      'gather rows and columns, float32 and int32; arg max over an axis',
      () => {
        const x = normal([5, 4, 3], 1);
        const rows = tf.tensor1d([4, 0, 2, 2], 'int32');
        return [
          tf.gather(x, rows),
          tf.gather(x, tf.tensor2d([1, 3, 0, 1], [2, 2], 'int32'), 1),
          tf.gather(tf.cast(tf.mul(x, 9), 'int32'), rows, 0),
          tf.argMax(normal([7, 9], 2), -1),
          tf.argMax(normal([7, 9], 3), 0),
        ];
      },
    ],
    [
      'pow: positive bases, negative bases with integer exponents, squares and square roots',
      () => {
        const x = positive([40], 1);
        const z = normal([40], 2);
        return [
          tf.pow(x, normal([40], 3)),
          tf.pow(z, tf.scalar(3)),
          tf.pow(z, tf.scalar(-2)),
          tf.pow(z, 2),
          tf.pow(x, 0.5),
          tf.pow(z, 0),
        ];
      },
    ],
    [
      'logical and and or of bools, broadcasting',
      () => {
        const a = tf.greater(normal([4, 5], 1), 0);
        const b = tf.greater(normal([5], 2), 0);
        return [tf.logicalAnd(a, b), tf.logicalOr(a, b)];
      },
    ],
    [
      'int32 add, sub, mul, max, min and comparisons, broadcasting',
      () => {
        const a = tf.cast(tf.mul(normal([3, 4], 1), 50), 'int32');
        const b = tf.cast(tf.mul(normal([4], 2), 50), 'int32');
        const labels = tf.tensor1d([0, 1, 2, 1, 0, 2], 'int32');
        return [
          tf.add(a, b),
          tf.sub(a, b),
          tf.mul(a, b),
          tf.maximum(a, b),
          tf.minimum(a, b),
          tf.greater(a, b),
          // SupCon's positives: equal labels, as a matrix.
          tf.equal(tf.reshape(labels, [6, 1]), tf.reshape(labels, [1, 6])),
        ];
      },
    ],
    [
      'log1p (small arguments too), erf and clipByValue',
      () => {
        const x = normal([300], 1);
        return [
          tf.log1p(positive([100], 2)),
          tf.log1p(tf.mul(normal([100], 3), 1e-6)),
          tf.erf(tf.mul(x, 2)),
          tf.clipByValue(x, -0.5, 0.75),
        ];
      },
    ],
    [
      'range, float32 and int32, forwards and backwards; expandDims',
      () => [
        tf.range(0, 10, 0.5),
        tf.range(3, 40, 3, 'int32'),
        tf.range(10, 0, -2, 'float32'),
        tf.expandDims(normal([3, 4], 1), 1),
        tf.expandDims(normal([3, 4], 2), -1),
      ],
    ],
    [
      'where, by element and by row, float32 and int32',
      () => {
        const mask = tf.greater(normal([6, 5], 3), 0);
        const ints = tf.cast(tf.mul(normal([6, 5], 4), 9), 'int32');
        return [
          tf.where(mask, normal([6, 5], 1), normal([6, 5], 2)),
          tf.where(tf.greater(normal([6, 1], 5), 0), normal([6, 5], 1), tf.fill([6, 5], -1e9)),
          tf.where(mask, ints, tf.zerosLike(ints)),
        ];
      },
    ],
    [
      'oneHot, float32 and int32, with an index out of range',
      () => {
        const indices = tf.tensor1d([0, 3, 1, 7, -1, 2], 'int32');
        return [tf.oneHot(indices, 5), tf.oneHot(tf.reshape(indices, [2, 3]), 4, 2, -3, 'int32')];
      },
    ],
    [
      'concat along the batch and along channels, float32 and int32',
      () => {
        const ints = tf.cast(tf.mul(normal([2, 3], 3), 9), 'int32');
        return [
          tf.concat([normal([2, 3], 1), normal([4, 3], 2)], 0),
          tf.concat([normal([2, 2, 1], 1), normal([2, 2, 3], 2)], -1),
          tf.concat([ints, ints], 1),
        ];
      },
    ],
    ['split along an inner axis', () => tf.split(normal([3, 7, 2], 1), [2, 5], 1)],
    [
      'comparisons, broadcasting, to bool',
      () => {
        // Small integers, so that equal pairs occur.
        const a = tf.tensor2d(
          Array.from({ length: 20 }, (_, i) => ((i * 7) % 5) - 2),
          [4, 5],
        );
        const b = tf.tensor1d([0, 1, -1, 2, 0]);
        return [
          tf.greater(a, b),
          tf.greaterEqual(a, b),
          tf.less(a, b),
          tf.lessEqual(a, b),
          tf.equal(a, b),
          tf.notEqual(a, b),
        ];
      },
    ],
    [
      'step (ReLU’s derivative) and logical not',
      () => {
        const x = normal([100], 1);
        return [tf.step(x, 0.25), tf.logicalNot(tf.greater(x, 0))];
      },
    ],
    [
      'batch norm with per-channel statistics, offset and scale',
      () => {
        const x = normal([2, 3, 3, 5], 1);
        return tf.batchNorm(x, normal([5], 2), positive([5], 3), normal([5], 4), normal([5], 5), 1e-3);
      },
    ],
    [
      'batch norm without offset and scale',
      () => tf.batchNorm(normal([4, 6], 1), normal([6], 2), positive([6], 3)),
    ],
    [
      'mirror pad, reflect and symmetric, up to the whole side',
      () => {
        const x = normal([2, 5, 4, 3], 1);
        return [
          tf.mirrorPad(
            x,
            [
              [0, 0],
              [2, 1],
              [3, 0],
              [0, 0],
            ],
            'reflect',
          ),
          tf.mirrorPad(
            x,
            [
              [1, 0],
              [5, 5],
              [0, 4],
              [0, 1],
            ],
            'symmetric',
          ),
          tf.mirrorPad(
            tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'),
            [
              [1, 1],
              [2, 2],
            ],
            'reflect',
          ),
        ];
      },
    ],
    [
      'crop and resize: bilinear and nearest, flipped boxes, boxes past the border, a 1-pixel crop',
      () => {
        const image = normal([3, 9, 7, 2], 1) as tf.Tensor4D;
        // Boxes [y1, x1, y2, x2]: inside, flipped (x1 > x2), partly outside (extrapolated), and of the
        // last image; values off the pixel grid, so that no sample lands on a rounding tie.
        const boxes = tf.tensor2d(
          [0.13, 0.07, 0.91, 0.83, 0.21, 0.94, 0.77, 0.11, -0.31, 0.42, 0.58, 1.37, 0.03, 0.05, 0.47, 0.61],
          [4, 4],
        );
        const boxInd = tf.tensor1d([0, 1, 2, 2], 'int32');
        return [
          tf.image.cropAndResize(image, boxes, boxInd, [5, 6], 'bilinear'),
          tf.image.cropAndResize(image, boxes, boxInd, [4, 3], 'nearest', 0.5),
          tf.image.cropAndResize(image, boxes, boxInd, [1, 1], 'bilinear'),
        ];
      },
    ],
    [
      'tensor scatter update: rows of a bank, a repeated row (the last update wins), 2-D indices, int32',
      () => {
        // A fresh tensor for each: tfjs's cpu kernel writes the updates into its input's own values.
        const bank = () => normal([10, 4], 1);
        const rows = (values: number[][]) => tf.tensor2d(values, undefined, 'int32');
        return [
          tf.tensorScatterUpdate(bank(), rows([[3], [7], [0]]), normal([3, 4], 2)),
          tf.tensorScatterUpdate(bank(), rows([[2], [5], [2], [9], [2]]), normal([5, 4], 3)),
          tf.tensorScatterUpdate(
            normal([4, 3, 2], 4),
            rows([
              [1, 2],
              [3, 0],
            ]),
            normal([2, 2], 5),
          ),
          tf.tensorScatterUpdate(
            tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'),
            rows([[2], [0]]),
            tf.tensor2d([7, 8, 9, 10], [2, 2], 'int32'),
          ),
        ];
      },
    ],
    [
      'top k, sorted: ties to the lower index, negative and infinite values, k from 1 to the whole row',
      () => {
        // Whole numbers in a small range, so that rows hold many ties; a row of its own with ±∞ and ±0 (equal).
        const ties = tf.cast(tf.cast(tf.mul(normal([5, 300], 1), 2), 'int32'), 'float32');
        const extremes = tf.tensor2d([[-Infinity, 3, -0, Infinity, -2, 3, -Infinity, 0, -0.5, -0]]);
        const wide = normal([3, 2, 700], 2);
        const pairs = [tf.topk(ties, 1), tf.topk(ties, 37), tf.topk(ties, 300), tf.topk(wide, 200)];
        // Of the infinite values only the order is compared (a relative error of infinities is not).
        return [...pairs.flatMap(({ values, indices }) => [values, indices]), tf.topk(extremes, 10).indices];
      },
    ],
    [
      'any and all of bools, along an axis and over all, keeping dimensions',
      () => {
        const bits = tf.greater(normal([4, 3, 5], 1), 0.8);
        return [tf.any(bits, 2), tf.all(tf.logicalNot(bits), 1, true), tf.any(bits), tf.all(bits)];
      },
    ],
    [
      'unsorted segment sum: a gather’s gradient, with repeated and unused rows',
      () => {
        const table = normal([6, 5], 1);
        const rows = tf.tensor1d([4, 0, 4, 2, 4, 5, 0], 'int32');
        const dy = normal([7, 5], 2);
        return [
          tf.unsortedSegmentSum(normal([5, 2, 3], 3), tf.tensor1d([1, 3, 1, -1, 0], 'int32'), 4),
          tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, rows), dy)))(table),
        ];
      },
    ],
    [
      'depthwise convolution: per-channel taps, a channel multiplier, strides, padding and dilation',
      () => {
        const x = normal([2, 9, 8, 3], 1) as tf.Tensor4D;
        return [
          tf.depthwiseConv2d(x, normal([3, 1, 3, 1], 2) as tf.Tensor4D, 1, 'valid'),
          tf.depthwiseConv2d(x, normal([1, 5, 3, 1], 3) as tf.Tensor4D, 1, 'valid'),
          tf.depthwiseConv2d(x, normal([3, 3, 3, 2], 4) as tf.Tensor4D, 2, 'same'),
          tf.depthwiseConv2d(x, normal([2, 3, 3, 1], 5) as tf.Tensor4D, 1, 'same', 'NHWC', 2),
        ];
      },
    ],
  ];
  for (const [name, fn] of cases) {
    it(name, async () => {
      const { error, fellBack } = await compareVulkanToCpu(fn);
      expect(fellBack).toEqual([]);
      expect(error).toBeLessThan(1e-5);
    });
  }
});

// The convolutions a backbone uses (ResNet's stem, blocks and strided shortcuts, the ConvNet's), each
// forward and both gradients.
type Shape4 = [number, number, number, number];
const convolutions: {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number;
  pad: 'same' | 'valid' | number;
}[] = [
  { name: '3×3 same, stride 1', x: [3, 8, 8, 4], filter: [3, 3, 4, 5], strides: 1, pad: 'same' },
  { name: '3×3 same, stride 2', x: [2, 9, 9, 3], filter: [3, 3, 3, 6], strides: 2, pad: 'same' },
  { name: '1×1 stride 2 (shortcut)', x: [4, 8, 8, 6], filter: [1, 1, 6, 8], strides: 2, pad: 0 },
  { name: '3×3 valid, stride 2', x: [2, 10, 7, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  {
    name: '7×7 stride 2, pad 3 (ImageNet stem)',
    x: [1, 16, 16, 3],
    filter: [7, 7, 3, 4],
    strides: 2,
    pad: 3,
  },
];

describe.runIf(vulkanAvailable)('vulkan reductions of long rows', () => {
  it('sum a row of more than 2^24 values exactly (a batch of activations at batch 512)', async () => {
    // One workgroup over the whole row summed half of it on lavapipe past 65,524 values per invocation.
    const n = 2 ** 24 + 4096;
    const { values } = await evaluateOn('vulkan', () => {
      const ones = tf.ones([n]);
      return [tf.sum(ones), tf.mean(ones)];
    });
    expect(values.map((v) => v[0])).toEqual([n, 1]);
  });
});

describe.runIf(vulkanAvailable)('vulkan convolutions against cpu', () => {
  for (const c of convolutions) {
    it(`${c.name}: forward and both gradients`, async () => {
      const { error, fellBack } = await compareVulkanToCpu(() => {
        const x = normal(c.x, 1) as tf.Tensor4D;
        const w = normal(c.filter, 2) as tf.Tensor4D;
        const y = tf.conv2d(x, w, c.strides, c.pad);
        const dy = normal(y.shape, 3);
        const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad), dy)),
        )([x, w]);
        return [y, dx!, dw!];
      });
      expect(fellBack).toEqual([]);
      expect(error).toBeLessThan(1e-5);
    });
  }
});

describe.runIf(vulkanAvailable)('vulkan max pooling against cpu', () => {
  const pools: {
    name: string;
    x: [number, number, number, number];
    size: number;
    strides: number;
    pad: 'valid' | 'same' | number;
  }[] = [
    { name: '3×3 stride 2, padding 1 (the ImageNet stem)', x: [2, 9, 9, 3], size: 3, strides: 2, pad: 1 },
    { name: '2×2 stride 2, valid', x: [3, 6, 8, 2], size: 2, strides: 2, pad: 'valid' },
    { name: '3×3 stride 1, same', x: [1, 5, 7, 4], size: 3, strides: 1, pad: 'same' },
  ];
  for (const c of pools) {
    it(`${c.name}: forward and gradient, ties going to the first tap`, async () => {
      const { error, fellBack } = await compareVulkanToCpu(() => {
        // Whole numbers in a small range, so that windows often hold several maxima.
        const x = tf.cast(tf.cast(tf.mul(normal(c.x, 1), 1.5), 'int32'), 'float32') as tf.Tensor4D;
        const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad);
        const y = pool(x);
        const dy = normal(y.shape, 2);
        return [y, tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pool(x), dy)))(x)];
      });
      expect(fellBack).toEqual([]);
      expect(error).toBeLessThan(1e-5);
    });
  }
});

describe.runIf(vulkanAvailable)('vulkan gradients against cpu', () => {
  it('of a dense layer with a softmax cross-entropy', async () => {
    const { error } = await compareVulkanToCpu(() => {
      const x = normal([16, 12], 1);
      const w = normal([12, 5], 2);
      const b = normal([5], 3);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0], 'int32'), 5);
      const loss = (w: tf.Tensor, b: tf.Tensor) =>
        tf.losses.softmaxCrossEntropy(labels, tf.add(tf.matMul(tf.relu(x), w), b)) as tf.Scalar;
      return tf.grads(loss)([w, b]);
    });
    expect(error).toBeLessThan(1e-4);
  });

  it('of normalisation: mean, variance and rsqrt', async () => {
    const { error } = await compareVulkanToCpu(() => {
      const f = (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0]);
        return tf.sum(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), normal([8], 9)));
      };
      return tf.grad(f)(normal([32, 8], 1));
    });
    expect(error).toBeLessThan(1e-4);
  });
});

describe.runIf(vulkanAvailable)('ops without a shader', () => {
  it('run on the cpu and give its results', async () => {
    const { error, fellBack } = await compareVulkanToCpu(() => [
      tf.cumsum(normal([2, 6, 3], 1), 1),
      tf.round(tf.mul(normal([4, 6], 2), 3)),
    ]);
    expect(fellBack.sort()).toEqual(['Cumsum', 'Round']);
    expect(error).toBeLessThan(1e-5);
  });
});
