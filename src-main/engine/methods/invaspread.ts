import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { invaSpreadLoss } from '../losses/invaspread';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import { encoderWithHead, forwardJointly } from './encoder-head';
import type { MethodDefinition } from './method';
import { augmentationFromConfig } from './views';
import { embeddingDimField, temperatureField } from './fields';

const fields = {
  temperature: temperatureField(0.1, 'Temperature τ of the instance softmax (paper and released code: 0.1).'),
  embeddingDim: embeddingDimField(
    128,
    'Size of the L2-normalised embedding after the linear layer (paper: 128).',
  ),
  originalView: z
    .enum(['light', 'augmented'])
    .default('light')
    .describe(
      "The 'original' image: 'light' = the whole image with a random flip only (paper Sec. 3: the unaugmented image); 'augmented' = the same augmentation as its copy (the released code).",
    )
    .meta({ group: 'method' }),
};

/**
 * Invariant and Spreading Instance Feature (Ye et al. 2019): one encoder trained end to end within the batch.
 * Each image and its augmented copy go through the network together; the copy must be classified as its own
 * instance (invariance) and away from every other image of the batch (spreading), with the exact loss of the
 * authors' released BatchCriterion (Eq. 2–5; losses/invaspread).
 */
export const invaspread: MethodDefinition<typeof fields> = {
  id: 'invaspread',
  title: 'InvaSpread',
  family: 'end-to-end',
  idea: 'An image and its augmented copy, one encoder, and the other images of the batch as negatives.',
  paper: {
    title: 'Unsupervised Embedding Learning via Invariant and Spreading Instance Feature',
    authors: 'Ye, Zhang, Yuen, Chang',
    year: 2019,
    url: 'https://arxiv.org/abs/1904.03436',
  },
  fields,
  // Released CIFAR recipe: batch 128, SGD lr 0.03, weight decay 5e-4, no warm-up; RandomResizedCrop(0.2, 1),
  // ColorJitter(0.4, 0.4, 0.4, 0.4) always applied, grayscale 0.2, flip.
  sharedDefaults: { lr: 0.03, weightDecay: 5e-4, warmupEpochs: 0, cropMinScale: 0.2, jitterProb: 1 },
  viewPlan(config, imageSize) {
    const augmented = augmentationFromConfig(config, imageSize);
    const original =
      config.originalView === 'augmented'
        ? augmented
        : {
            ...augmented,
            cropScale: [1, 1] as [number, number],
            cropRatio: [1, 1] as [number, number],
            jitterProb: 0,
            grayscaleProb: 0,
            blurProb: 0,
            solarizeProb: 0,
          };
    return { global: [original, augmented], local: [] };
  },
  create(config, env) {
    const encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    // The released ResNet ends in one linear layer to low_dim followed by L2 normalisation (inside the loss).
    const head = mlpHead(encoder.outputDim, config.embeddingDim, config.embeddingDim, 1, env.rng);
    return {
      ...encoderWithHead(encoder, head),
      step(batch) {
        const [original, augmented] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        const n = original.shape[0];
        // One forward pass over [originals; copies], as the released code concatenates them (BN sees 2N).
        const f = forwardJointly(encoder, head, [original, augmented]);
        const [f1, f2] = tf.split(f, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
        return { loss: invaSpreadLoss(f1, f2, config.temperature) };
      },
    };
  },
};
