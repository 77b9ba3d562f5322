import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { l2Normalize } from '../losses/common';
import { simSiamLoss } from '../losses/simsiam';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import type { Module } from '../nn/module';
import { Tower } from '../nn/tower';
import type { MethodDefinition, MethodInstance } from './method';
import type { MetricSpec } from '../../domain';
import { mocoV2AugmentationDefaults, symmetricViews } from './ssl-views';
import { layersField, projectionDimField } from './fields';

const fields = {
  projectionDim: projectionDimField(
    512,
    'Width of the projector (hidden and output) and of z, p (paper: 2048).',
    8192,
  ),
  projectionLayers: layersField(
    3,
    'Layers of the projection MLP, each with BN (paper: 3 on ImageNet).',
    1,
    4,
  ),
  fixPredictorLr: z
    .boolean()
    .default(true)
    .describe(
      'Keep the predictor’s learning rate at its peak while the rest decays on the schedule (paper: on, Sec. 4.1).',
    )
    .meta({ group: 'optimisation' }),
};

/**
 * Std over the batch of each channel of the L2-normalised output, averaged over channels (Chen & He
 * 2021, Sec. 4.1, Fig. 2): ≈ 1/√d for well-spread outputs, 0 when they have collapsed to one vector.
 */
export function outputStd(z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const n = z.shape[0];
    const { variance } = tf.moments(l2Normalize(z), 0);
    // Unbiased, as torch's std() in the reference monitor.
    return tf.mean(tf.sqrt(tf.mul(variance, n / Math.max(1, n - 1)))) as tf.Scalar;
  });
}

/** SimSiam's modules, exposed for tests. */
export interface SimSiamInstance extends MethodInstance {
  readonly online: Tower;
  readonly predictor: Module;
}

/**
 * SimSiam (Chen & He 2021): one encoder + projector f shared by both views, a bottleneck predictor h
 * (hidden = d/4), loss D(p1, sg(z2))/2 + D(p2, sg(z1))/2 with D the negative cosine (Eq. 3–4). No
 * momentum encoder, no negatives: the stop-gradient alone prevents collapse. Paper: ResNet-50, SGD
 * lr 0.05 at batch 256, the predictor's lr not decayed (`fixPredictorLr`), weight decay 1e-4,
 * momentum 0.9, cosine, 100 epochs, MoCo v2's augmentation (crop (0.2, 1), blur 0.5). Logs
 * `output_std` (see outputStd) to watch for collapse.
 */
export const simsiam: MethodDefinition<typeof fields> = {
  id: 'simsiam',
  title: 'SimSiam',
  family: 'no-negatives',
  idea: 'A Siamese network with a predictor and a stop-gradient: no negatives, no momentum encoder.',
  paper: {
    title: 'Exploring Simple Siamese Representation Learning',
    authors: 'Chen, He',
    year: 2021,
    url: 'https://arxiv.org/abs/2011.10566',
  },
  fields,
  metrics: {
    // The std of z/‖z‖ per dimension over the batch (Sec. 4.1, fig. 2): about 1/√d when healthy, 0 when
    // collapsed, so neither end is better.
    output_std: {
      label: { en: 'Output std', zh: '输出标准差' },
      format: { kind: 'significant', digits: 4 },
      direction: 'neither',
      smoothable: true,
      cadence: 'step',
      group: 'training',
    } satisfies MetricSpec,
  },
  sharedDefaults: {
    optimizer: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 1e-4,
    warmupEpochs: 0,
    ...mocoV2AugmentationDefaults,
  },
  viewPlan: (config, imageSize) => symmetricViews(config, imageSize),
  create(config, env): SimSiamInstance {
    const rng = env.rng;
    const backbone = createBackbone(config.backbone, config.width, rng.fork(), env.channels, env.imageSize);
    const d = config.projectionDim;
    // Projector: BN on every layer, the output one without affine (the reference builder.py).
    const online = new Tower(
      backbone,
      mlpHead(backbone.outputDim, d, d, config.projectionLayers, rng.fork(), true),
    );
    // Predictor: d → d/4 (BN, ReLU) → d, the bottleneck of Sec. 4.4.
    const predictor = mlpHead(d, Math.max(1, Math.round(d / 4)), d, 2, rng.fork());

    return {
      encoder: backbone,
      online,
      predictor,
      trainableParameters: () => [
        ...online.namedParameters('online.'),
        ...predictor.namedParameters('predictor.'),
      ],
      // "Predictor with a constant lr (without decay) performs better" (Sec. 4.1; released
      // main_simsiam.py --fix-pred-lr: the predictor's group keeps init_lr, the encoder's decays).
      optimisation: config.fixPredictorLr
        ? { parameterGroups: [{ prefix: 'predictor.', lr: 'fixed' }] }
        : undefined,
      step(batch) {
        const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        const z1 = online.forward(v1, true) as tf.Tensor2D;
        const z2 = online.forward(v2, true) as tf.Tensor2D;
        const p1 = predictor.forward(z1, true) as tf.Tensor2D;
        const p2 = predictor.forward(z2, true) as tf.Tensor2D;
        // simSiamLoss applies sg(·) to z: the gradient reaches the encoder only through p.
        return { loss: simSiamLoss(p1, p2, z1, z2), logs: { output_std: outputStd(z1) } };
      },
      dispose() {
        online.dispose();
        predictor.dispose();
      },
    };
  },
};
