import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Module, Sequential } from './module';
import { BatchNorm, Conv2d, GlobalAvgPool, ReLU } from './layers';
import { Rng } from '../util/rng';
import { vitTiny } from './vit';

/** A feature extractor: images NHWC → features [N, outputDim]. */
export abstract class Backbone extends Module {
  abstract readonly outputDim: number;
}

/** ResNet basic block (He et al. 2016): two 3×3 convs with a projection shortcut when the shape changes. */
class BasicBlock extends Module {
  private readonly body: Sequential;
  private readonly shortcut: Sequential | null;
  /** The body's layers (conv, BN, ReLU, conv, BN), so the last BN can fuse the add and the ReLU. */
  private readonly layers: [Conv2d, BatchNorm, ReLU, Conv2d, BatchNorm];

  constructor(cin: number, cout: number, stride: number, rng: Rng) {
    super();
    this.layers = [
      new Conv2d(cin, cout, 3, stride, rng),
      new BatchNorm(cout),
      new ReLU(),
      new Conv2d(cout, cout, 3, 1, rng),
      new BatchNorm(cout),
    ];
    this.body = this.addModule('body', new Sequential(this.layers));
    this.shortcut =
      stride === 1 && cin === cout
        ? null
        : this.addModule(
            'shortcut',
            new Sequential([new Conv2d(cin, cout, 1, stride, rng), new BatchNorm(cout)]),
          );
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
 * CIFAR-style ResNet-18: a 3×3 stride-1 stem and no max-pool (as in SimCLR's CIFAR experiments,
 * appendix B.9), four stages of two basic blocks with widths w, 2w, 4w, 8w (w=64 is the original).
 */
export class ResNet18 extends Backbone {
  readonly outputDim: number;
  private readonly net: Sequential;

  constructor(width: number, rng: Rng, inChannels = 3) {
    super();
    const layers: Module[] = [new Conv2d(inChannels, width, 3, 1, rng), new BatchNorm(width), new ReLU()];
    let cin = width;
    for (let stage = 0; stage < 4; stage++) {
      const cout = width * 2 ** stage;
      for (let block = 0; block < 2; block++) {
        layers.push(new BasicBlock(cin, cout, block === 0 && stage > 0 ? 2 : 1, rng));
        cin = cout;
      }
    }
    layers.push(new GlobalAvgPool());
    this.net = this.addModule('net', new Sequential(layers));
    this.outputDim = cin;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.net.forward(x, training);
  }
}

/**
 * A small ConvNet for fast runs on a CPU: four conv-BN-ReLU stages (w, 2w, 4w, 8w channels), the last
 * three with stride 2, then global average pooling.
 */
export class SmallConvNet extends Backbone {
  readonly outputDim: number;
  private readonly net: Sequential;

  constructor(width: number, rng: Rng, inChannels = 3) {
    super();
    const layers: Module[] = [];
    let cin = inChannels;
    for (let stage = 0; stage < 4; stage++) {
      const cout = width * 2 ** stage;
      layers.push(new Conv2d(cin, cout, 3, stage === 0 ? 1 : 2, rng), new BatchNorm(cout), new ReLU());
      cin = cout;
    }
    layers.push(new GlobalAvgPool());
    this.net = this.addModule('net', new Sequential(layers));
    this.outputDim = cin;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.net.forward(x, training);
  }
}

export const backboneIds = ['convnet', 'resnet18', 'vit_tiny'] as const;
export const BackboneId = z.enum(backboneIds);
export type BackboneId = z.infer<typeof BackboneId>;

export const backboneInfo: Record<BackboneId, { title: string; description: string; defaultWidth: number }> =
  {
    convnet: {
      title: 'Small ConvNet',
      description: 'Four conv-BN-ReLU stages and global pooling; fast enough for CPU runs in minutes.',
      defaultWidth: 32,
    },
    resnet18: {
      title: 'ResNet-18 (CIFAR)',
      description: '3×3 stem, no max-pool, four stages of basic blocks; width 64 is the paper size.',
      defaultWidth: 16,
    },
    vit_tiny: {
      title: 'ViT-tiny',
      description:
        'Vision Transformer, 4×4 patches, 6 pre-norm blocks, token width 4·width (width 48 = ViT-Tiny’s 192).',
      defaultWidth: 32,
    },
  };

export function createBackbone(
  id: BackboneId,
  width: number,
  rng: Rng,
  inChannels = 3,
  imageSize = 32,
): Backbone {
  switch (id) {
    case 'vit_tiny':
      return vitTiny(width, rng, inChannels, imageSize);
    case 'resnet18':
      return new ResNet18(width, rng, inChannels);
    case 'convnet':
      return new SmallConvNet(width, rng, inChannels);
  }
}
