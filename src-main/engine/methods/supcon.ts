import * as tf from '@tensorflow/tfjs-core';
import { supConLoss } from '../losses/supcon';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import { encoderWithHead, forwardJointly } from './encoder-head';
import type { MethodDefinition } from './method';
import { twoViews } from './views';
import { hiddenDimField, projectionDimField, temperatureField } from './fields';

const fields = {
  temperature: temperatureField(0.1, 'Temperature τ of the supervised contrastive loss (paper: 0.1).'),
  baseTemperature: temperatureField(
    0.07,
    'The loss is scaled by τ/baseTemperature, as in the released SupConLoss (its default: 0.07).',
  ),
  projectionDim: projectionDimField(128, 'Output size of the projection head (paper: 128).'),
  projectionHiddenDim: hiddenDimField(
    512,
    'Hidden width of the 2-layer projection head (paper: 2048, the ResNet-50 feature size).',
  ),
};

/**
 * Supervised Contrastive Learning (Khosla et al. 2020): SimCLR's two views and projection head, but every other
 * view of the same class is a positive too (Eq. 2, L_out; losses/supcon). Trains on the dataset's labels, so it
 * needs a labelled dataset; the engine refuses unlabelled ones (needsLabels) and the step checks again.
 */
export const supcon: MethodDefinition<typeof fields> = {
  id: 'supcon',
  title: 'SupCon',
  family: 'supervised',
  idea: 'Contrastive learning with labels (needs a labelled dataset): all views of the same class are positives.',
  paper: {
    title: 'Supervised Contrastive Learning',
    authors: 'Khosla, Teterwak, Wang, Sarna, Tian, Isola, Maschinot, Liu, Krishnan',
    year: 2020,
    url: 'https://arxiv.org/abs/2004.11362',
  },
  fields,
  needsLabels: true,
  // Released CIFAR recipe: RandomResizedCrop(0.2, 1), weight decay 1e-4, lr 0.5 at batch 1024 (0.125 per
  // 256). Short CPU runs at batch 128 learn with 0.05 and fall below the random-init kNN with 0.5 (measured).
  sharedDefaults: { cropMinScale: 0.2, weightDecay: 1e-4, lr: 0.05 },
  viewPlan: (config, imageSize) => twoViews(config, imageSize),
  create(config, env) {
    const encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    const head = mlpHead(encoder.outputDim, config.projectionHiddenDim, config.projectionDim, 2, env.rng);
    return {
      ...encoderWithHead(encoder, head),
      step(batch) {
        if (!batch.labels) {
          throw new Error(
            'supcon needs a labelled dataset: this batch has no labels (choose a dataset with labels)',
          );
        }
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        const n = v1.shape[0];
        const z = forwardJointly(encoder, head, [v1, v2]);
        // [2N, D] view-major → [N, 2, D], the features layout of the loss.
        const features = tf.transpose(tf.reshape(z, [2, n, config.projectionDim]), [1, 0, 2]) as tf.Tensor3D;
        return { loss: supConLoss(features, batch.labels, config.temperature, config.baseTemperature) };
      },
    };
  },
};
