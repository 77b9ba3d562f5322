import { Linear, ReLU } from '../nn/layers';
import { Sequential } from '../nn/module';
import type { Rng } from '../util/rng';
import type { MethodDefinition } from './method';
import { createMoco, lrScheduleField, mocoFields, mocoOptimisationDefaults } from './moco';
import { mocoV2AugmentationDefaults, symmetricViews } from './ssl-views';
import { hiddenDimField, temperatureField } from './fields';

const fields = {
  ...mocoFields,
  temperature: temperatureField(0.2, 'InfoNCE temperature τ (MoCo v2: 0.2; v1: 0.07).'),
  lrSchedule: lrScheduleField(
    'cosine',
    'Learning-rate schedule: cosine (MoCo v2, Sec. 2) or step (× 0.1 at 60% and 80% of the run, as MoCo v1).',
  ),
  projectionHiddenDim: hiddenDimField(
    512,
    'Hidden width of the 2-layer MLP head (paper: 2048, the ResNet-50 feature size).',
  ),
};

/** MoCo v2's head: fc → ReLU → fc, no batch norm (Chen et al. 2020, Sec. 2; the reference `mlp` option). */
const mlpHead2 = (hidden: number, out: number) => (inDim: number, rng: Rng) =>
  new Sequential([new Linear(inDim, hidden, rng), new ReLU(), new Linear(hidden, out, rng)]);

/**
 * MoCo v2 (Chen, Fan, Girshick, He 2020): MoCo v1 plus SimCLR's MLP head, stronger augmentation (blur)
 * and a cosine learning-rate schedule, with τ = 0.2. Paper: ResNet-50, SGD lr 0.03 at batch 256, weight
 * decay 1e-4, 200 or 800 epochs, no warm-up, crop scale (0.2, 1), colour jitter p 0.8 (0.4, 0.4, 0.4,
 * 0.1), grayscale 0.2, blur p 0.5 with σ ∈ [0.1, 2] (scaled to our image size, see ssl-views.ts).
 */
export const mocov2: MethodDefinition<typeof fields> = {
  id: 'mocov2',
  title: 'MoCo v2',
  family: 'momentum-encoder',
  idea: 'MoCo with an MLP projection head, blur augmentation and a cosine schedule.',
  paper: {
    title: 'Improved Baselines with Momentum Contrastive Learning',
    authors: 'Chen, Fan, Girshick, He',
    year: 2020,
    url: 'https://arxiv.org/abs/2003.04297',
  },
  fields,
  sharedDefaults: {
    ...mocoOptimisationDefaults,
    ...mocoV2AugmentationDefaults,
  },
  viewPlan: (config, imageSize) => symmetricViews(config, imageSize),
  create: (config, env) =>
    createMoco(config, env, mlpHead2(config.projectionHiddenDim, config.projectionDim)),
};
