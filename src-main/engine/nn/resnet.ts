import * as tf from '@tensorflow/tfjs-core';
import { Backbone } from './backbone';
import { BatchNorm, Conv2d, GlobalAvgPool, ReLU } from './layers';
import { Module, Sequential } from './module';
import type { Rng } from '../util/rng';

/**
 * Residual networks (He et al. 2016, "Deep Residual Learning for Image Recognition") at the resolution of
 * the run: ResNet-18 (basic blocks) and ResNet-50 (bottleneck blocks), each with the stem its image size
 * calls for.
 */

/** The largest image side that gets the CIFAR stem; larger images get the ImageNet stem. */
export const CIFAR_STEM_MAX_SIZE = 64;

/**
 * 'cifar': one 3×3 stride-1 convolution and no max-pool, so a 32-px image keeps its resolution into the
 * first stage (SimCLR appendix B.9, following He et al. Sec. 4.2 on CIFAR-10). 'imagenet': a 7×7 stride-2
 * convolution (padding 3) and a 3×3 stride-2 max-pool (padding 1), a quarter of the side into the first
 * stage (He et al. Table 1). The first discards too little at 224 px, the second too much at 32 px.
 */
export type ResNetStem = 'cifar' | 'imagenet';

/** The stem for a run's image side: CIFAR up to CIFAR_STEM_MAX_SIZE pixels inclusive, ImageNet above. */
export function resnetStemFor(imageSize: number): ResNetStem {
  return imageSize <= CIFAR_STEM_MAX_SIZE ? 'cifar' : 'imagenet';
}

/** The stem in words, for descriptions and run logs. */
export function describeResNetStem(stem: ResNetStem): string {
  return stem === 'cifar'
    ? 'CIFAR stem (3×3 stride-1 conv, no max-pool)'
    : 'ImageNet stem (7×7 stride-2 conv, 3×3 stride-2 max-pool)';
}

/**
 * A convolution with `padding` zeros on every side, as PyTorch's Conv2d(padding=p). tfjs's 'same' pads a
 * stride-2 convolution of an even side unevenly (2 before, 3 after for the 7×7 stem), which shifts
 * every output by a pixel against the reference network. Initialised as Conv2d (Kaiming, fan-out).
 */
class PaddedConv2d extends Conv2d {
  constructor(
    inChannels: number,
    outChannels: number,
    kernel: number,
    private readonly convStride: number,
    private readonly padding: number,
    rng: Rng,
  ) {
    super(inChannels, outChannels, kernel, convStride, rng);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const weight = this.params.get('weight')!;
    return tf.conv2d(x as tf.Tensor4D, weight as tf.Tensor4D, this.convStride, this.padding);
  }
}

/** Max-pooling, NHWC, with `padding` on every side that never wins the maximum (PyTorch's MaxPool2d). */
class MaxPool2d extends Module {
  constructor(
    private readonly size: number,
    private readonly stride: number,
    private readonly padding: number,
  ) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.maxPool(x as tf.Tensor4D, this.size, this.stride, this.padding);
  }
}

/** The stem's layers, batch norm and ReLU after the convolution in both; exported for tests. */
export function resnetStemLayers(stem: ResNetStem, inChannels: number, width: number, rng: Rng): Module[] {
  if (stem === 'cifar') return [new Conv2d(inChannels, width, 3, 1, rng), new BatchNorm(width), new ReLU()];
  return [
    new PaddedConv2d(inChannels, width, 7, 2, 3, rng),
    new BatchNorm(width),
    new ReLU(),
    new MaxPool2d(3, 2, 1),
  ];
}

/** A 1×1 convolution and batch norm on the shortcut where a block changes the shape, else null (identity). */
function projection(cin: number, cout: number, stride: number, rng: Rng): Sequential | null {
  return stride === 1 && cin === cout
    ? null
    : new Sequential([new Conv2d(cin, cout, 1, stride, rng), new BatchNorm(cout)]);
}

/** ResNet basic block (He et al. 2016, Fig. 2): two 3×3 convs with a projection shortcut when the shape changes. */
class BasicBlock extends Module {
  static readonly expansion = 1;
  private readonly body: Sequential;
  private readonly shortcut: Sequential | null;
  /** The body's layers (conv, BN, ReLU, conv, BN), so the last BN can fuse the add and the ReLU. */
  private readonly layers: [Conv2d, BatchNorm, ReLU, Conv2d, BatchNorm];

  constructor(cin: number, planes: number, stride: number, rng: Rng) {
    super();
    this.layers = [
      new Conv2d(cin, planes, 3, stride, rng),
      new BatchNorm(planes),
      new ReLU(),
      new Conv2d(planes, planes, 3, 1, rng),
      new BatchNorm(planes),
    ];
    this.body = this.addModule('body', new Sequential(this.layers));
    const shortcut = projection(cin, planes, stride, rng);
    this.shortcut = shortcut ? this.addModule('shortcut', shortcut) : null;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    const s = this.shortcut ? this.shortcut.forward(x, training) : x;
    const [conv1, bn1, , conv2, bn2] = this.layers;
    const h = conv2.forward(bn1.forwardReLU(conv1.forward(x), training));
    // relu(bn2(h) + s): the block's end, one fused kernel in training.
    return bn2.forwardReLU(h, training, s);
  }
}

/**
 * ResNet bottleneck block (He et al. 2016, Fig. 5): 1×1 to `planes`, 3×3, 1×1 to 4·planes, with the
 * stride on the 3×3 convolution as torchvision's ResNet-50 ("v1.5") has it.
 */
class Bottleneck extends Module {
  static readonly expansion = 4;
  private readonly body: Sequential;
  private readonly shortcut: Sequential | null;
  private readonly layers: [Conv2d, BatchNorm, ReLU, Conv2d, BatchNorm, ReLU, Conv2d, BatchNorm];

  constructor(cin: number, planes: number, stride: number, rng: Rng) {
    super();
    const cout = planes * Bottleneck.expansion;
    this.layers = [
      new Conv2d(cin, planes, 1, 1, rng),
      new BatchNorm(planes),
      new ReLU(),
      new Conv2d(planes, planes, 3, stride, rng),
      new BatchNorm(planes),
      new ReLU(),
      new Conv2d(planes, cout, 1, 1, rng),
      new BatchNorm(cout),
    ];
    this.body = this.addModule('body', new Sequential(this.layers));
    const shortcut = projection(cin, cout, stride, rng);
    this.shortcut = shortcut ? this.addModule('shortcut', shortcut) : null;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    const s = this.shortcut ? this.shortcut.forward(x, training) : x;
    const [conv1, bn1, , conv2, bn2, , conv3, bn3] = this.layers;
    const h = conv2.forward(bn1.forwardReLU(conv1.forward(x), training));
    const g = conv3.forward(bn2.forwardReLU(h, training));
    return bn3.forwardReLU(g, training, s);
  }
}

/** A block class: its constructor and how many times `planes` its output has. */
interface BlockClass {
  new (cin: number, planes: number, stride: number, rng: Rng): Module;
  readonly expansion: number;
}

/**
 * A ResNet: the stem, four stages of blocks with `planes` w, 2w, 4w, 8w (the first block of stages 2–4
 * halves the side), then global average pooling. Convolutions are Kaiming-initialised, batch norm
 * starts at γ = 1, β = 0 (torchvision's defaults).
 */
export class ResNet extends Backbone {
  readonly outputDim: number;
  readonly stem: ResNetStem;
  private readonly net: Sequential;

  constructor(
    readonly name: string,
    block: BlockClass,
    blocksPerStage: readonly number[],
    width: number,
    rng: Rng,
    inChannels: number,
    imageSize: number,
  ) {
    super();
    this.stem = resnetStemFor(imageSize);
    const layers: Module[] = resnetStemLayers(this.stem, inChannels, width, rng);
    let cin = width;
    blocksPerStage.forEach((count, stage) => {
      const planes = width * 2 ** stage;
      for (let i = 0; i < count; i++) {
        layers.push(new block(cin, planes, i === 0 && stage > 0 ? 2 : 1, rng));
        cin = planes * block.expansion;
      }
    });
    layers.push(new GlobalAvgPool());
    this.net = this.addModule('net', new Sequential(layers));
    this.outputDim = cin;
  }

  /** E.g. "ResNet-18, CIFAR stem (3×3 stride-1 conv, no max-pool), 512 features". */
  get description(): string {
    return `${this.name}, ${describeResNetStem(this.stem)}, ${this.outputDim} features`;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.net.forward(x, training);
  }
}

/**
 * ResNet-18: basic blocks [2, 2, 2, 2], widths w, 2w, 4w, 8w (w = 64 is the paper's), 8w features. The
 * stem follows `imageSize` (resnetStemFor): 32-px images get the CIFAR stem, as before sizes were chosen.
 */
export class ResNet18 extends ResNet {
  constructor(width: number, rng: Rng, inChannels = 3, imageSize = 32) {
    super('ResNet-18', BasicBlock, [2, 2, 2, 2], width, rng, inChannels, imageSize);
  }
}

/**
 * ResNet-50: bottleneck blocks [3, 4, 6, 3] with expansion 4, base width w (64 is the paper's: 256 to
 * 2048 channels), 32w features. At w = 64 it has torchvision's resnet50 parameters less the classifier.
 */
export class ResNet50 extends ResNet {
  constructor(width: number, rng: Rng, inChannels = 3, imageSize = 32) {
    super('ResNet-50', Bottleneck, [3, 4, 6, 3], width, rng, inChannels, imageSize);
  }
}
