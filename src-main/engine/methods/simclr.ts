import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import { ntXentLoss } from '../losses/nt_xent';
import { encoderWithHead, forwardJointly } from './encoder-head';
import type { MethodDefinition } from './method';
import { twoViews } from './views';
import { hiddenDimField, projectionDimField, temperatureField } from './fields';

const fields = {
  temperature: temperatureField(0.5, 'NT-Xent temperature τ (SimCLR CIFAR-10: 0.5; ImageNet: 0.1).'),
  projectionDim: projectionDimField(128, 'Output size of the projection head g(·) (paper: 128).'),
  projectionHiddenDim: hiddenDimField(
    512,
    'Hidden width of the projection head (paper: 2048, the ResNet-50 feature size).',
  ),
  headOutput: z
    .enum(['batch-norm', 'linear'])
    .default('batch-norm')
    .describe(
      "How the projection head ends. 'batch-norm': a bias-free output layer, then batch norm with a learned scale and no shift, as the released code does (model_util.py projection_head). 'linear': an output layer with a bias (the paper's g(·) = W⁽²⁾σ(W⁽¹⁾h), Sec. 2.1). With the released code's SGD (Nesterov, norms undecayed, the defaults here) on the CIFAR-10 subset (ConvNet w16, batch 128, 10 epochs, seeds 0–2), kNN top-1 gains 10.2 ± 2.3 points; with 'linear', plain momentum and every parameter decayed, 7.9 ± 2.3 (the PyTorch reference of the released code: 9.7 ± 0.4, and 7.8 ± 0.1 with that head and SGD).",
    )
    .meta({ group: 'method' }),
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
  // The released code's SGD (model_util.py): Nesterov momentum, batch-norm parameters never decayed.
  sharedDefaults: { nesterov: true, exemptNormsFromDecay: true },
  viewPlan: (config, imageSize) => twoViews(config, imageSize),
  create(config, env) {
    const encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    const outputNorm = config.headOutput === 'batch-norm' ? 'scale' : false;
    const head = mlpHead(
      encoder.outputDim,
      config.projectionHiddenDim,
      config.projectionDim,
      2,
      env.rng,
      outputNorm,
    );
    return {
      ...encoderWithHead(encoder, head),
      step(batch) {
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        const n = v1.shape[0];
        const [z1, z2] = tf.split(forwardJointly(encoder, head, [v1, v2]), [n, n], 0) as [
          tf.Tensor2D,
          tf.Tensor2D,
        ];
        return { loss: ntXentLoss(z1, z2, config.temperature) };
      },
    };
  },
};
