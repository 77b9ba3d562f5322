import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads';
import { ntXentLoss } from '../losses/nt_xent';
import type { MethodDefinition } from './method';
import { twoViews } from './views';

const fields = {
  temperature: z
    .number()
    .positive()
    .max(10)
    .default(0.5)
    .describe('NT-Xent temperature τ (SimCLR CIFAR-10: 0.5; ImageNet: 0.1).')
    .meta({ group: 'method' }),
  projectionDim: z
    .number()
    .int()
    .min(8)
    .max(2048)
    .default(128)
    .describe('Output size of the projection head g(·) (paper: 128).')
    .meta({ group: 'method', unit: 'dims' }),
  projectionHiddenDim: z
    .number()
    .int()
    .min(8)
    .max(8192)
    .default(512)
    .describe('Hidden width of the projection head (paper: 2048, the ResNet-50 feature size).')
    .meta({ group: 'method', unit: 'dims' }),
};

/**
 * SimCLR (Chen et al. 2020): two augmented views of each image pass through encoder f and MLP
 * projection head g; NT-Xent pulls the two views together against all other 2N−2 views in the batch.
 * Both views go through the network as one batch, so batch norm sees 2N samples as in the paper's
 * global BN.
 */
export const simclr: MethodDefinition<typeof fields> = {
  id: 'simclr',
  title: 'SimCLR',
  family: 'end-to-end',
  idea: 'Two augmented views, a projection head, and NT-Xent over all other views in the batch.',
  paper: {
    title: 'A Simple Framework for Contrastive Learning of Visual Representations',
    authors: 'Chen, Kornblith, Norouzi, Hinton',
    year: 2020,
    url: 'https://arxiv.org/abs/2002.05709',
  },
  fields,
  viewPlan: (config, imageSize) => twoViews(config, imageSize),
  create(config, env) {
    const encoder = createBackbone(config.backbone, config.width, env.rng, env.channels);
    const head = mlpHead(encoder.outputDim, config.projectionHiddenDim, config.projectionDim, 2, env.rng);
    return {
      encoder,
      trainableParameters: () => [...encoder.namedParameters('encoder.'), ...head.namedParameters('head.')],
      step(batch) {
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        const n = v1.shape[0];
        const z = head.forward(encoder.forward(tf.concat([v1, v2], 0), true), true) as tf.Tensor2D;
        const [z1, z2] = tf.split(z, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
        return { loss: ntXentLoss(z1, z2, config.temperature) };
      },
      dispose() {
        encoder.dispose();
        head.dispose();
      },
    };
  },
};
