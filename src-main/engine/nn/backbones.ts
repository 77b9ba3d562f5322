import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Backbone } from './backbone';
import { Module, Sequential } from './module';
import { BatchNorm, Conv2d, GlobalAvgPool, ReLU } from './layers';
import { Rng } from '../util/rng';
import { CIFAR_STEM_MAX_SIZE, describeResNetStem, ResNet18, ResNet50, resnetStemFor } from './resnet';
import { vitPatchSize, vitTiny } from './vit';

export { Backbone } from './backbone';
export { ResNet18, ResNet50 } from './resnet';

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

export const backboneIds = ['convnet', 'resnet18', 'resnet50', 'vit_tiny'] as const;
export const BackboneId = z.enum(backboneIds);
export type BackboneId = z.infer<typeof BackboneId>;

const stemRule =
  `up to ${CIFAR_STEM_MAX_SIZE} px the CIFAR stem (3×3 stride-1 conv, no max-pool; SimCLR B.9), ` +
  'above it the ImageNet stem (7×7 stride-2 conv, 3×3 stride-2 max-pool; He et al. 2016, Table 1)';

export const backboneInfo: Record<BackboneId, { title: string; description: string; defaultWidth: number }> =
  {
    convnet: {
      title: 'Small ConvNet',
      description: 'Four conv-BN-ReLU stages and global pooling; fast enough for CPU runs in minutes.',
      defaultWidth: 32,
    },
    resnet18: {
      title: 'ResNet-18',
      description: `Four stages of basic blocks [2, 2, 2, 2]; ${stemRule}. Width 64 is the paper size.`,
      defaultWidth: 16,
    },
    resnet50: {
      title: 'ResNet-50',
      description:
        `Four stages of bottleneck blocks (1×1, 3×3, 1×1, expansion 4) [3, 4, 6, 3]; ${stemRule}. ` +
        'Width 64 is the paper size (2048 features); slow on a CPU.',
      defaultWidth: 16,
    },
    vit_tiny: {
      title: 'ViT-tiny',
      description:
        'Vision Transformer, 6 pre-norm blocks, token width 4·width (width 48 = ViT-Tiny’s 192); patches of ' +
        'image size/8 (4 px at 32, 12 at 96, 28 at 224), so 64 tokens at every resolution.',
      defaultWidth: 32,
    },
  };

/**
 * The backbone as built for `imageSize`-px images, in one line (for the run log): the stem a ResNet
 * chose, the patch side of a ViT. Throws the ConfigError of vitPatchSize where a ViT cannot take the size.
 */
export function describeBackbone(id: BackboneId, imageSize: number): string {
  switch (id) {
    case 'vit_tiny': {
      const patch = vitPatchSize(imageSize);
      const grid = imageSize / patch;
      return `ViT-tiny, ${patch}×${patch}-px patches (${grid}×${grid} = ${grid * grid} tokens) on ${imageSize}-px images`;
    }
    case 'resnet18':
    case 'resnet50':
      return `${backboneInfo[id].title}, ${describeResNetStem(resnetStemFor(imageSize))} for ${imageSize}-px images`;
    case 'convnet':
      return `${backboneInfo[id].title} on ${imageSize}-px images`;
  }
}

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
      return new ResNet18(width, rng, inChannels, imageSize);
    case 'resnet50':
      return new ResNet50(width, rng, inChannels, imageSize);
    case 'convnet':
      return new SmallConvNet(width, rng, inChannels);
  }
}
