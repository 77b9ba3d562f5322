import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { cpcInfoNceLoss } from '../losses/cpc_infonce';
import { createBackbone } from '../nn/backbones';
import { Linear } from '../nn/layers';
import { Module } from '../nn/module';
import { rngState, stateGroup } from '../nn/training-state';
import type { Rng } from '../util/rng';
import { layersField } from './fields';
import type { MethodDefinition } from './method';
import { lossMetric, type MetricSpec } from '../../domain';
import { paperPatchGrid, patchGridSize, PatchGridEncoder } from './patch-grid';
import { augmentationFromConfig } from './views';

/** The most rows ahead CPC may predict (predictionSteps). */
const MAX_PREDICTION_STEPS = 32;

/** The metric key of the InfoNCE term that predicts k rows ahead. */
const predictionStepKey = (k: number) => `loss_k${k}`;

/** Every key predictionStepKey can give: which of them a run logs depends on its predictionSteps. */
const predictionStepMetrics: Record<string, MetricSpec> = Object.fromEntries(
  Array.from({ length: MAX_PREDICTION_STEPS }, (_, i) => [
    predictionStepKey(i + 1),
    lossMetric({
      en: `InfoNCE loss, ${i + 1} row${i === 0 ? '' : 's'} ahead`,
      zh: `InfoNCE 损失（向下 ${i + 1} 行）`,
    }),
  ]),
);

const fields = {
  patchSize: z
    .number()
    .int()
    .min(0)
    .max(256)
    .refine((side) => side !== 1, 'must be 0 (automatic) or at least 2 px')
    .default(0)
    .describe(
      'Side of each square patch; 0 = a quarter of the image side, the paper’s 7×7 grid (paper: 64 on 256×256 images; 8 on 32×32).',
    )
    .meta({ group: 'method', unit: 'px' }),
  patchStride: z
    .number()
    .int()
    .min(0)
    .max(256)
    .default(0)
    .describe(
      'Step between neighbouring patches; 0 = half the patch size, overlapping by half (paper: 32 on 256×256 images).',
    )
    .meta({ group: 'method', unit: 'px' }),
  predictionSteps: z
    .number()
    .int()
    .min(1)
    .max(MAX_PREDICTION_STEPS)
    .default(3)
    .describe(
      'Predict the patches up to k rows below each context, one linear map W_k per k (paper: up to 5).',
    )
    .meta({ group: 'method', unit: 'rows' }),
  maxPredictions: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(1024)
    .describe(
      'Per step k, score at most this many randomly chosen grid positions, each against the others’ targets; 0 = all (paper: all patches of the batch; capped because the cost grows with its square).',
    )
    .meta({ group: 'method', unit: 'positions' }),
  contextLayers: layersField(
    2,
    'Masked (causal) 3×3 convolutions of the context network; each row sees only its own and earlier rows (paper: a PixelCNN-style stack).',
    1,
    8,
  ),
};

/**
 * A convolution that is causal over rows: the output at row i sees input rows i − (kh − 1) … i only (the masked
 * convolution of a PixelCNN column stack, van den Oord et al. 2016), and columns j ± (kw − 1)/2. Implemented by
 * padding kh − 1 zero rows on top and none below, then a 'valid' convolution.
 */
export class CausalConv2d extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(
    inChannels: number,
    outChannels: number,
    private readonly kernelRows: number,
    private readonly kernelCols: number,
    rng: Rng,
  ) {
    super();
    if (kernelCols % 2 !== 1) throw new Error('CausalConv2d needs an odd number of kernel columns');
    const size = kernelRows * kernelCols * inChannels * outChannels;
    const std = Math.sqrt(2 / (kernelRows * kernelCols * inChannels));
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
    this.weight = this.addParam(
      'weight',
      tf.tensor4d(data, [kernelRows, kernelCols, inChannels, outChannels]),
    );
    this.bias = this.addParam('bias', tf.zeros([outChannels]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const side = (this.kernelCols - 1) / 2;
    const padded = tf.pad(x as tf.Tensor4D, [
      [0, 0],
      [this.kernelRows - 1, 0],
      [side, side],
      [0, 0],
    ]);
    return tf.add(tf.conv2d(padded, this.weight as tf.Tensor4D, 1, 'valid'), this.bias);
  }
}

/** The autoregressive context network g_ar over the patch grid: causal convolutions with ReLU between them. */
class ContextNetwork extends Module {
  private readonly layers: CausalConv2d[] = [];

  constructor(channels: number, layers: number, rng: Rng) {
    super();
    for (let i = 0; i < layers; i++) {
      this.layers.push(this.addModule(String(i), new CausalConv2d(channels, channels, 3, 3, rng)));
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    let y = x;
    this.layers.forEach((layer, i) => {
      y = layer.forward(y);
      if (i < this.layers.length - 1) y = tf.relu(y);
    });
    return y;
  }
}

/**
 * CPC on images (van den Oord et al. 2018, Sec. 3.3; Hénaff et al. 2019): every image is cut into an overlapping
 * grid of patches; a patch encoder maps each patch to z; a context network that is causal over rows summarises
 * the rows above into c; W_k c at row i predicts z at row i + k, scored against every other patch of the batch
 * with InfoNCE (Eq. 4; losses/cpc_infonce). The loss is the mean over k (the paper sums; a constant factor).
 * On a CPU, at most `maxPredictions` random positions per k are scored (each against the others' targets).
 * The evaluated encoder mean-pools the patch features over the grid. Note: the patch encoder's batch norm sees
 * all patches of the batch together; CPC v2 replaces it by layer norm to stop that shortcut.
 */
export const cpc: MethodDefinition<typeof fields> = {
  id: 'cpc',
  title: 'CPC',
  family: 'end-to-end',
  idea: 'Predict the features of patches further down the image from the rows above, against all other patches.',
  paper: {
    title: 'Representation Learning with Contrastive Predictive Coding',
    authors: 'van den Oord, Li, Vinyals (images: Hénaff et al. 2019, arXiv:1905.09272)',
    year: 2018,
    url: 'https://arxiv.org/abs/1807.03748',
  },
  fields,
  metrics: predictionStepMetrics,
  // CPC trains with Adam at 2e-4 and no weight decay; our lr is per 256 images, so 8e-4 gives 2e-4 at batch 64.
  // Every patch pair of the batch is scored, so the batch is kept small. The task lives inside one image:
  // light augmentation (crops and flips, no colour changes).
  sharedDefaults: {
    optimizer: 'adamw',
    lr: 8e-4,
    weightDecay: 0,
    batchSize: 64,
    cropMinScale: 0.5,
    jitterProb: 0,
    grayscaleProb: 0,
  },
  viewPlan: (config, imageSize) => ({ global: [augmentationFromConfig(config, imageSize)], local: [] }),
  create(config, env) {
    const { patchSize, stride } = paperPatchGrid(env.imageSize, config.patchSize, config.patchStride);
    const grid = patchGridSize(env.imageSize, patchSize, stride);
    if (config.predictionSteps > grid - 1) {
      throw new Error(
        `cpc: predictionSteps ${config.predictionSteps} needs a grid of at least ${config.predictionSteps + 1} rows, ` +
          `but ${patchSize}-px patches with stride ${stride} give ${grid} on ${env.imageSize}-px images`,
      );
    }
    const patchEncoder = createBackbone(config.backbone, config.width, env.rng, env.channels, patchSize);
    const encoder = new PatchGridEncoder(patchEncoder, patchSize, stride);
    const d = encoder.outputDim;
    const context = new ContextNetwork(d, config.contextLayers, env.rng);
    const predictors = Array.from({ length: config.predictionSteps }, () => new Linear(d, d, env.rng, false));
    const rng = env.rng.fork();
    // Between steps: where the draw of scored positions has got to.
    const state = stateGroup({ positions: rngState(rng) });
    /** maxPredictions distinct positions out of m, drawn at random, or null to keep all. */
    const choose = (m: number): Int32Array | null => {
      const cap = config.maxPredictions;
      return cap === 0 || m <= cap ? null : rng.permutation(m).slice(0, cap);
    };
    return {
      encoder,
      trainableParameters: () => [
        ...encoder.namedParameters('encoder.'),
        ...context.namedParameters('context.'),
        ...predictors.flatMap((w, i) => w.namedParameters(`predict${i + 1}.`)),
      ],
      trainingState: () => state.trainingState(),
      restoreTrainingState: (saved) => state.restoreTrainingState(saved),
      step(batch) {
        const [x] = batch.views as [tf.Tensor4D];
        const zGrid = encoder.encodeGrid(x, true); // [N, G, G, D]
        const [n, rows, cols] = zGrid.shape;
        const c = context.forward(zGrid); // c at row i summarises rows ≤ i
        const logs: Record<string, tf.Scalar> = {};
        const losses = predictors.map((w, i) => {
          const k = i + 1;
          const m = n * (rows - k) * cols;
          let ctx = tf.reshape(tf.slice(c, [0, 0, 0, 0], [n, rows - k, cols, d]), [m, d]) as tf.Tensor2D;
          let target = tf.reshape(tf.slice(zGrid, [0, k, 0, 0], [n, rows - k, cols, d]), [
            m,
            d,
          ]) as tf.Tensor2D;
          const subset = choose(m);
          if (subset) {
            const idx = tf.tensor1d(subset, 'int32');
            ctx = tf.gather(ctx, idx);
            target = tf.gather(target, idx);
          }
          const lk = cpcInfoNceLoss(w.forward(ctx) as tf.Tensor2D, target);
          logs[predictionStepKey(k)] = lk;
          return lk;
        });
        return { loss: tf.div(tf.addN(losses), losses.length) as tf.Scalar, logs };
      },
      dispose() {
        encoder.dispose();
        context.dispose();
        predictors.forEach((w) => w.dispose());
      },
    };
  },
};
