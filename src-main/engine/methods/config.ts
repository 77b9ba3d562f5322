import { z } from 'zod';
import { BackboneId } from '../nn/backbones';
import { OptimizerId, type OptimizerSettings } from '../nn/optimizers';

/**
 * Field metadata that the CLI's `methods`, the run form and validation all read from one schema:
 * `description` is the one-line explanation; `unit` and `group` place it in the form.
 */
export interface FieldMeta {
  unit?: string;
  group: 'model' | 'optimisation' | 'augmentation' | 'evaluation' | 'method';
  /** The form shows the field only while these fields have these values (it still has its value). */
  shownWhen?: Record<string, string>;
}

const field = <T extends z.ZodType>(schema: T, description: string, meta: FieldMeta): T =>
  schema.describe(description).meta({ ...meta }) as T;

/** Defaults of the shared fields that a method may set differently from the generic ones. */
export interface SharedDefaults {
  backbone: z.infer<typeof BackboneId>;
  width: number;
  epochs: number;
  batchSize: number;
  optimizer: z.infer<typeof OptimizerId>;
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  exemptNormsFromDecay: boolean;
  larsTrustCoefficient: number;
  warmupEpochs: number;
  cropMinScale: number;
  flipProb: number;
  jitterProb: number;
  jitterStrength: number;
  grayscaleProb: number;
  blurProb: number;
  solarizeProb: number;
}

export const genericDefaults: SharedDefaults = {
  backbone: 'convnet',
  width: 16,
  epochs: 10,
  batchSize: 128,
  optimizer: 'sgd',
  lr: 0.5,
  momentum: 0.9,
  nesterov: false,
  weightDecay: 5e-4,
  exemptNormsFromDecay: false,
  // The papers' 0.001 barely moves the weights at this scale (the field's description has the measurement).
  larsTrustCoefficient: 0.02,
  warmupEpochs: 1,
  cropMinScale: 0.08,
  flipProb: 0.5,
  jitterProb: 0.8,
  jitterStrength: 0.5,
  grayscaleProb: 0.2,
  blurProb: 0,
  solarizeProb: 0,
};

/** The fields every method shares: model, optimisation, augmentation and the kNN monitor. */
export function sharedConfigShape(d: SharedDefaults) {
  return {
    seed: field(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .default(0),
      'Random seed for data order, augmentation and initialisation.',
      { group: 'optimisation' },
    ),
    backbone: field(
      BackboneId.default(d.backbone),
      'Encoder network: small ConvNet (fast), ResNet-18 or ResNet-50 (CIFAR stem up to 64 px, ImageNet stem above), or ViT-tiny (patches of image side / 8).',
      { group: 'model' },
    ),
    width: field(
      z.number().int().min(4).max(128).default(d.width),
      'Channels of the first stage; later stages double it (ResNet-18 paper width: 64; ViT-tiny token width is 4× this).',
      { group: 'model', unit: 'channels' },
    ),
    epochs: field(z.number().int().min(1).max(10000).default(d.epochs), 'Passes over the training split.', {
      group: 'optimisation',
      unit: 'epochs',
    }),
    batchSize: field(
      z.number().int().min(2).max(4096).default(d.batchSize),
      'Images per step (each gives its views); the last incomplete batch of an epoch is dropped.',
      { group: 'optimisation', unit: 'images' },
    ),
    optimizer: field(
      OptimizerId.default(d.optimizer),
      'SGD with momentum, LARS (SimCLR at large batch) or AdamW (ViT methods).',
      { group: 'optimisation' },
    ),
    lr: field(
      z.number().positive().max(100).default(d.lr),
      'Peak learning rate for batch 256, scaled linearly by batchSize/256 (Goyal et al. 2017).',
      { group: 'optimisation' },
    ),
    momentum: field(z.number().min(0).max(0.9999).default(d.momentum), 'Optimiser momentum (SGD and LARS).', {
      group: 'optimisation',
    }),
    nesterov: field(
      z.boolean().default(d.nesterov),
      "SGD only: Nesterov momentum, a step of g + μv after v ← μv + g, as torch.optim.SGD's nesterov=True and SimCLR's released code (model_util.py: MomentumOptimizer with use_nesterov). Off: w ← w − η·v.",
      { group: 'optimisation', shownWhen: { optimizer: 'sgd' } },
    ),
    weightDecay: field(z.number().min(0).max(1).default(d.weightDecay), 'Weight decay λ.', {
      group: 'optimisation',
    }),
    exemptNormsFromDecay: field(
      z.boolean().default(d.exemptNormsFromDecay),
      "SGD only: no weight decay on biases and normalisation parameters (γ, β), which LARS and AdamW never decay, as SimCLR's released code (model_util.py add_weight_decay skips batch norm). Off: every parameter decays, as torch.optim.SGD does.",
      { group: 'optimisation', shownWhen: { optimizer: 'sgd' } },
    ),
    larsTrustCoefficient: field(
      z.number().positive().max(1).default(d.larsTrustCoefficient),
      'LARS only: trust coefficient η; each weight tensor’s step is scaled by η‖w‖/‖g + λw‖. You et al. 2017 and the released SimCLR, BYOL and SwAV code use 0.001, made for thousands of steps at batch 4096; at 36 steps an epoch it barely moves the weights: BYOL (ConvNet w16, batch 128, 10 epochs, CIFAR-10 subset, seed 0) gains 0.7 kNN points with 0.001 and 5.2 with 0.02, solo-learn’s CIFAR value, the default here.',
      { group: 'optimisation', shownWhen: { optimizer: 'lars' } },
    ),
    warmupEpochs: field(
      z.number().min(0).max(1000).default(d.warmupEpochs),
      'Linear learning-rate warm-up, after which the method’s schedule runs: the cosine decay, or the step decay where a method’s lrSchedule is step (MoCo).',
      { group: 'optimisation', unit: 'epochs' },
    ),
    cropMinScale: field(
      z.number().gt(0).max(1).default(d.cropMinScale),
      'Smallest area fraction of a random resized crop (SimCLR: 0.08).',
      { group: 'augmentation' },
    ),
    flipProb: field(z.number().min(0).max(1).default(d.flipProb), 'Probability of a horizontal flip.', {
      group: 'augmentation',
    }),
    jitterProb: field(
      z.number().min(0).max(1).default(d.jitterProb),
      'Probability of colour jitter (SimCLR: 0.8).',
      { group: 'augmentation' },
    ),
    jitterStrength: field(
      z.number().min(0).max(2).default(d.jitterStrength),
      'Colour jitter strength s: brightness, contrast, saturation 0.8s, hue 0.2s (SimCLR CIFAR: 0.5).',
      { group: 'augmentation' },
    ),
    grayscaleProb: field(
      z.number().min(0).max(1).default(d.grayscaleProb),
      'Probability of converting a view to grayscale (SimCLR: 0.2).',
      { group: 'augmentation' },
    ),
    blurProb: field(
      z.number().min(0).max(1).default(d.blurProb),
      'Probability of Gaussian blur (SimCLR omits it on CIFAR).',
      { group: 'augmentation' },
    ),
    solarizeProb: field(
      z.number().min(0).max(1).default(d.solarizeProb),
      'Probability of solarisation (BYOL: 0.2 on the second view).',
      { group: 'augmentation' },
    ),
    knnK: field(
      z.number().int().min(1).max(1000).default(200),
      'Neighbours in the weighted kNN monitor (InstDisc: 200).',
      { group: 'evaluation' },
    ),
    knnTemperature: field(
      z.number().positive().max(10).default(0.1),
      'Temperature of the kNN vote weights exp(s/τ) (InstDisc: 0.1).',
      { group: 'evaluation' },
    ),
    evalTrainSize: field(
      z.number().int().min(0).max(10_000_000).default(0),
      'Labelled training images kNN, the embeddings and the linear probe fit on (the first N; 0 = all). ' +
        'On 100,000 images at 96 px every evaluation of the whole split takes minutes on a CPU.',
      { group: 'evaluation', unit: 'images' },
    ),
    checkpointEvery: field(
      z.number().int().min(0).max(10000).default(1),
      'Save a checkpoint every N epochs (always at step 0 and at the end); 0 saves only those two.',
      { group: 'evaluation', unit: 'epochs' },
    ),
    linearProbe: field(
      z.boolean().default(true),
      'At the end of the run, train a linear classifier on frozen backbone features (SimCLR/MoCo protocol).',
      { group: 'evaluation' },
    ),
    probeOptimizer: field(
      z.enum(['adam', 'sgd']).default('adam'),
      "The linear probe's optimiser: full-batch Adam, 300 steps, lr 0.05 (cosine); or the papers' SGD " +
        '(SimCLR App. B.6, MoCo: Nesterov momentum 0.9, lr 0.1 at batch 256, cosine, no weight decay), ' +
        'here 100 epochs of batch 256 for the small datasets. Adam stays the default: on the CIFAR-10 ' +
        'subset (SimCLR, ResNet-18 width 16, 5 epochs; `probe RUN --optimizer adam|sgd`) both reached ' +
        'top-1 37.0%, SGD in 11.6 s of classifier training against 2.4 s.',
      { group: 'evaluation' },
    ),
  };
}

export type SharedConfig = z.infer<z.ZodObject<ReturnType<typeof sharedConfigShape>>>;

/** The optimiser a run's config describes (nn/optimizers.ts createOptimizer). */
export function optimizerSettings(config: SharedConfig): OptimizerSettings {
  return {
    id: config.optimizer,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    trustCoefficient: config.larsTrustCoefficient,
    nesterov: config.nesterov,
    exemptNormsFromDecay: config.exemptNormsFromDecay,
  };
}
