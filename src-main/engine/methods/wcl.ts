import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { l2Normalize } from '../losses/common';
import { ntXentLoss } from '../losses/nt_xent';
import { wclLoss } from '../losses/wcl';
import type { AugmentConfig } from '../../domain';
import { createBackbone } from '../nn/backbones';
import { mlpHead } from '../nn/heads/mlp-head';
import type { Module } from '../nn/module';
import { bufferState, stateGroup } from '../nn/training-state';
import { forwardJointly } from './encoder-head';
import type { MethodDefinition } from './method';
import { lossMetric, type MetricSpec } from '../../domain';
import { augmentationFromConfig, localCropSide } from './views';
import {
  epochsField,
  hiddenDimField,
  localCropSizeField,
  localCropsField,
  projectionDimField,
  temperatureField,
} from './fields';

const fields = {
  temperature: temperatureField(
    0.1,
    'Temperature τ of both the instance (NT-Xent) and the weak-label contrastive loss (paper: 0.1).',
  ),
  swapWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe('Weight of the swapped weak-label loss next to the instance loss (paper: 1).')
    .meta({ group: 'method' }),
  projectionDim: projectionDimField(128, 'Output size of each of the two projection heads (paper: 128).'),
  projectionHiddenDim: hiddenDimField(512, 'Hidden width of the 2-layer projection heads (paper: 2048).'),
  localCrops: localCropsField(
    0,
    'Small local crops per image for the kNN multi-crop, 0 = off (paper: 6 crops of 96 px).',
  ),
  localCropsKept: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe(
      'After the warm-up, only this many local crops per image, those nearest to its global view, are used.',
    )
    .meta({ group: 'method', unit: 'crops' }),
  localCropSize: localCropSizeField(
    'Side of the local crops; 0 = 96/224 of the image side (paper: 96 px for 224-px images; 14 at 32 px).',
  ),
  multiCropWarmupEpochs: epochsField(
    1,
    'Epochs during which every local crop is used, before the kNN selection starts.',
  ),
};

/** Cosine similarity of each local crop's embedding with its image's global embedding → [L, N], no gradient. */
function cropSimilarities(locals: tf.Tensor2D[], anchor: tf.Tensor2D): Float32Array {
  const sims = tf.tidy(() => {
    const a = l2Normalize(anchor);
    return tf.stack(locals.map((l) => tf.sum(tf.mul(l2Normalize(l), a), 1)));
  });
  const data = sims.dataSync() as Float32Array;
  sims.dispose();
  return data;
}

/**
 * Weakly Supervised Contrastive Learning (Zheng et al. 2021): a SimCLR-style instance head g with NT-Xent, and a
 * second head φ whose embeddings define weak labels — the connected components of the batch's 1-nearest-
 * neighbour graph (union–find) — computed on one view and used as supervised-contrastive labels for the other
 * view, swapped (Sec. 3.2–3.3, Eq. 7–9; losses/wcl).
 *
 * Optional kNN multi-crop (Sec. 3.4), simplified here: each image's small local crops go through the instance
 * head and are contrasted with its two global views by NT-Xent (negatives: the other images of the batch);
 * during the warm-up every local crop is used, afterwards only the `localCropsKept` crops whose embeddings are
 * nearest to the image's first global view. The local term is added to the loss with weight 1.
 */
export const wcl: MethodDefinition<typeof fields> = {
  id: 'wcl',
  title: 'WCL',
  family: 'supervised',
  idea: 'Instance contrast plus weak labels from 1-nearest-neighbour groups of a second head, swapped between views.',
  paper: {
    title: 'Weakly Supervised Contrastive Learning',
    authors: 'Zheng, Wang, You, Qian, Zhang, Wang, Xu',
    year: 2021,
    url: 'https://arxiv.org/abs/2110.04770',
  },
  fields,
  // The loss's terms (Eq. 9 and the multi-crop term, logged only with local crops) and the number of
  // connected components of the batch's 1-NN graph, the weak labels (Sec. 3.2).
  metrics: {
    instance_loss: lossMetric({ en: 'Instance loss', zh: '实例损失' }),
    swap_loss: lossMetric({ en: 'Swapped weak-label loss', zh: '交换弱标签损失' }),
    local_loss: lossMetric({ en: 'Local-crop loss', zh: '局部裁剪损失' }),
    weak_groups: {
      label: { en: 'Weak-label groups', zh: '弱标签组数' },
      format: { kind: 'integer' },
      direction: 'neither',
      smoothable: true,
      cadence: 'step',
      group: 'training',
    } satisfies MetricSpec,
  },
  viewPlan(config, imageSize) {
    const global = augmentationFromConfig(config, imageSize);
    const local: AugmentConfig = {
      ...augmentationFromConfig(config, imageSize, localCropSide(imageSize, config.localCropSize)),
      // SwAV's local-crop scale range (0.05, 0.14), which WCL's multi-crop follows.
      cropScale: [0.05, 0.14],
    };
    return { global: [global, global], local: Array.from({ length: config.localCrops }, () => local) };
  },
  create(config, env) {
    const encoder = createBackbone(config.backbone, config.width, env.rng, env.channels, env.imageSize);
    const instanceHead: Module = mlpHead(
      encoder.outputDim,
      config.projectionHiddenDim,
      config.projectionDim,
      2,
      env.rng,
    );
    const weakHead: Module = mlpHead(
      encoder.outputDim,
      config.projectionHiddenDim,
      config.projectionDim,
      2,
      env.rng,
    );
    // The checkpoint's model part is the encoder: the heads' parameters are saved as trainable ones, their
    // batch-norm statistics as training state.
    const state = stateGroup({ head_instance: bufferState(instanceHead), head_weak: bufferState(weakHead) });
    return {
      encoder,
      // The instance head g, SimCLR's projector (Sec. 3.1), is where the diagnostics take SimSiam's std.
      projector: instanceHead,
      checkpointModules: () => ({ encoder }),
      trainableParameters: () => [
        ...encoder.namedParameters('encoder.'),
        ...instanceHead.namedParameters('head_instance.'),
        ...weakHead.namedParameters('head_weak.'),
      ],
      trainingState: () => state.trainingState(),
      restoreTrainingState: (saved) => state.restoreTrainingState(saved),
      step(batch, ctx) {
        const [x1, x2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
        const n = x1.shape[0];
        const h = encoder.forward(tf.concat([x1, x2], 0), true);
        const [z1, z2] = tf.split(instanceHead.forward(h, true), [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
        const [w1, w2] = tf.split(weakHead.forward(h, true), [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
        const result = wclLoss(z1, z2, w1, w2, config.temperature, config.swapWeight);
        const logs: Record<string, tf.Scalar> = {
          instance_loss: result.instanceLoss,
          swap_loss: result.swapLoss,
          weak_groups: tf.scalar(new Set(result.labels1).size),
        };
        const localViews = batch.views.slice(2);
        if (localViews.length === 0) return { loss: result.loss, logs };

        const zl = tf.split(
          forwardJointly(encoder, instanceHead, localViews),
          localViews.length,
          0,
        ) as tf.Tensor2D[];
        let chosen: tf.Tensor2D[] = zl;
        const keep = Math.min(config.localCropsKept, zl.length);
        if (ctx.epoch >= config.multiCropWarmupEpochs && keep < zl.length) {
          // kNN selection: per image, the `keep` local crops most similar to its first global view.
          const sims = cropSimilarities(zl, z1);
          const ranked = Array.from({ length: keep }, () => new Int32Array(n));
          for (let i = 0; i < n; i++) {
            const order = Array.from({ length: zl.length }, (_, l) => l).sort(
              (a, b) => sims[b * n + i]! - sims[a * n + i]!,
            );
            for (let r = 0; r < keep; r++) ranked[r]![i] = order[r]! * n + i;
          }
          const all = tf.concat(zl, 0);
          chosen = ranked.map((rows) => tf.gather(all, tf.tensor1d(rows, 'int32')) as tf.Tensor2D);
        }
        const localLoss = tf.div(
          tf.addN(
            chosen.map((c) =>
              tf.add(ntXentLoss(c, z1, config.temperature), ntXentLoss(c, z2, config.temperature)),
            ),
          ),
          2 * chosen.length,
        ) as tf.Scalar;
        logs.local_loss = localLoss;
        return { loss: tf.add(result.loss, localLoss) as tf.Scalar, logs };
      },
      dispose() {
        encoder.dispose();
        instanceHead.dispose();
        weakHead.dispose();
      },
    };
  },
};
