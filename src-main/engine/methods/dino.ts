import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { dinoLoss } from '../losses/dino';
import { createBackbone } from '../nn/backbones';
import { vitPatchSize } from '../nn/vit';
import { DinoHead } from '../nn/heads/dino-head';
import { initTarget } from '../nn/momentum';
import { cosineRamp } from '../nn/schedule';
import { Tower } from '../nn/tower';
import { variablesState } from '../nn/training-state';
import type { Rng } from '../util/rng';
import type { MethodDefinition, MethodInstance, TrainBatch } from './method';
import { ConfigError, scheduleMetric } from '../../domain';
import { asymmetricViews, byolAugmentationDefaults, paperView, secondViewBlurProbField } from './ssl-views';
import { localCropSide } from './views';
import {
  dimsField,
  epochsField,
  hiddenDimField,
  localCropScaleField,
  localCropSizeField,
  localCropsField,
  momentumField,
  probabilityField,
  temperatureField,
} from './fields';

const fields = {
  prototypes: z
    .number()
    .int()
    .min(2)
    .max(65536)
    .default(1024)
    .describe('Output dimension K of the DINO head, the number of prototypes (paper: 65536).')
    .meta({ group: 'method', unit: 'prototypes' }),
  headHiddenDim: hiddenDimField(512, 'Hidden width of the head’s 3-layer MLP (paper: 2048).'),
  bottleneckDim: dimsField(
    256,
    'L2-normalised bottleneck before the weight-normalised prototype layer (paper: 256).',
    4096,
    4,
  ),
  studentTemperature: temperatureField(0.1, 'Student softmax temperature τ_s (paper: 0.1).'),
  teacherTemperature: temperatureField(
    0.07,
    'Teacher temperature τ_t after warm-up; lower sharpens (paper: 0.07 for long runs, 0.04 default).',
  ),
  warmupTeacherTemperature: temperatureField(
    0.04,
    'Teacher temperature at the start of its linear warm-up (paper: 0.04).',
  ),
  teacherTemperatureWarmupEpochs: z
    .number()
    .min(0)
    .max(1000)
    .default(3)
    .describe('Epochs of the teacher-temperature warm-up (paper: 30 of 100–800 epochs).')
    .meta({ group: 'method', unit: 'epochs' }),
  teacherMomentum: momentumField(
    0.996,
    'Teacher EMA momentum λ at the start, raised to 1 on a cosine (paper: 0.996).',
  ),
  centerMomentum: momentumField(
    0.9,
    'Momentum m of the centre c ← m·c + (1 − m)·mean teacher output (paper: 0.9).',
  ),
  localCrops: localCropsField(
    6,
    'Small local crops per image, seen by the student only (paper: 10; 6 in ablations).',
  ),
  localCropSize: localCropSizeField(
    'Side of the local crops; 0 = 96/224 of the image side, in whole patches for ViT (paper: 96 for 224-px global crops).',
    'augmentation',
  ),
  localCropMinScale: localCropScaleField(
    0.05,
    'Smallest area fraction of a local crop; the largest is cropMinScale (paper: 0.05 to 0.4).',
    'augmentation',
  ),
  localBlurProb: probabilityField(0.5, 'Blur probability of local crops (paper: 0.5).', 'augmentation'),
  secondViewBlurProb: secondViewBlurProbField,
  freezeLastLayerEpochs: epochsField(
    1,
    'Epochs during which the prototype layer gets no gradient (paper: 1).',
    1000,
  ),
  weightDecayEnd: z
    .number()
    .min(0)
    .max(1)
    .default(0.4)
    .describe('Weight decay at the end of its cosine schedule from weightDecay (paper: 0.04 → 0.4).')
    .meta({ group: 'optimisation' }),
  clipGrad: z
    .number()
    .min(0)
    .max(1000)
    .default(3)
    .describe('Clip each parameter’s gradient to this L2 norm before the update; 0 = off (paper: 3.0).')
    .meta({ group: 'optimisation' }),
};

/**
 * The teacher temperature at a step: a linear warm-up from `start` to `end` over `warmupEpochs`, then
 * `end` (Caron et al. 2021, Sec. 3.1 and appendix: 0.04 → 0.07 over the first 30 epochs). DINO's code
 * steps it once per epoch (np.linspace over the warm-up epochs); we ramp it per step.
 */
export function teacherTemperatureAt(
  step: number,
  stepsPerEpoch: number,
  warmupEpochs: number,
  start: number,
  end: number,
): number {
  const warmupSteps = warmupEpochs * stepsPerEpoch;
  if (!(warmupSteps > 0) || step >= warmupSteps) return end;
  return start + ((end - start) * step) / warmupSteps;
}

/** DINO's modules, exposed for tests. */
export interface DinoInstance extends MethodInstance {
  readonly student: Tower;
  readonly teacher: Tower;
  /** The centre c [K], a non-trainable variable. */
  readonly center: tf.Variable;
}

/**
 * DINO (Caron et al. 2021): self-distillation with no labels. A student (backbone + DINO head) matches
 * the sharpened, centred output distribution of a momentum teacher (Eq. 3): the teacher sees only the
 * two global crops, the student all crops, and every (teacher global, student other view) pair is a
 * cross-entropy term. Centring (Eq. 4, c ← m·c + (1 − m)·mean teacher output) and sharpening (τ_t < τ_s)
 * together avoid collapse. Paper (ViT-S/16): AdamW, lr 5e-4 at batch 256, weight decay 0.04 → 0.4 cosine
 * (`weightDecayEnd`), 10 warm-up epochs, per-parameter gradient clipping 3.0 (`clipGrad`), 2 × 224 px
 * global crops of scale (0.4, 1) and 10 × 96 px local crops of scale (0.05, 0.4). We evaluate the
 * teacher, as the paper does (its teacher-network ablation: the teacher outperforms the student).
 */
export const dino: MethodDefinition<typeof fields> = {
  id: 'dino',
  title: 'DINO',
  family: 'distillation',
  idea: 'A student matches a centred, sharpened momentum teacher across global and small local crops.',
  paper: {
    title: 'Emerging Properties in Self-Supervised Vision Transformers',
    authors: 'Caron, Touvron, Misra, Jégou, Mairal, Bojanowski, Joulin',
    year: 2021,
    url: 'https://arxiv.org/abs/2104.14294',
  },
  fields,
  // The schedules' values at each step: the teacher temperature's warm-up and λ on a cosine to 1 (Sec. 3.1),
  // and the weight decay's cosine (released main_dino.py).
  metrics: {
    teacher_temperature: scheduleMetric({ en: 'Teacher temperature τ_t', zh: '教师温度 τ_t' }),
    teacher_momentum: scheduleMetric({ en: 'Teacher momentum λ', zh: '教师动量 λ' }),
    weight_decay: scheduleMetric({ en: 'Weight decay λ_wd', zh: '权重衰减 λ_wd' }),
  },
  sharedDefaults: {
    backbone: 'vit_tiny',
    // With 2 global + 6 local crops, a ViT's saved activations at batch 64 outgrow the wasm heap.
    batchSize: 32,
    optimizer: 'adamw',
    lr: 5e-4,
    weightDecay: 0.04,
    warmupEpochs: 1,
    ...byolAugmentationDefaults,
    cropMinScale: 0.4,
  },
  viewPlan(config, imageSize) {
    // Global crops: BYOL's asymmetric pair (blur 1.0 / 0.1, solarize 0 / 0.2), DINO's DataAugmentationDINO.
    const { global } = asymmetricViews(config, imageSize, config.secondViewBlurProb);
    // A ViT tokenises local crops with the global crops' patch size, so they are whole patches.
    const patch = config.backbone === 'vit_tiny' ? vitPatchSize(imageSize) : 1;
    const localSize = localCropSide(imageSize, config.localCropSize, patch);
    if (localSize % patch !== 0) {
      throw new ConfigError(
        `dino: localCropSize ${localSize} px is not a multiple of the ViT's ${patch}-px patches on ${imageSize}-px images`,
      );
    }
    const local = paperView(config, imageSize, {
      outputSize: localSize,
      cropScale: [config.localCropMinScale, Math.max(config.localCropMinScale, config.cropMinScale)],
      blurProb: config.localBlurProb,
      solarizeProb: 0,
    });
    return { global, local: Array.from({ length: config.localCrops }, () => local) };
  },
  create(config, env): DinoInstance {
    const rng = env.rng;
    const makeTower = (r: Rng) => {
      const backbone = createBackbone(config.backbone, config.width, r, env.channels, env.imageSize);
      const head = new DinoHead(
        backbone.outputDim,
        config.headHiddenDim,
        config.bottleneckDim,
        config.prototypes,
        r,
      );
      return new Tower(backbone, head);
    };
    const student = makeTower(rng.fork());
    const teacher = initTarget(student, makeTower(rng.fork()));
    const studentHead = student.head as DinoHead;
    const center = tf.tidy(() => tf.variable(tf.zeros([config.prototypes]), false));
    let pendingCenter: tf.Tensor1D | null = null;
    // Between steps only the centre (Eq. 4); the teacher is a module, the schedules follow the step.
    const state = variablesState([['center', center]]);
    const momentumAt = (step: number, total: number) => cosineRamp(step, total, config.teacherMomentum, 1);
    // Released main_dino.py: wd_schedule = cosine_scheduler(weight_decay, weight_decay_end, epochs, steps per
    // epoch), set on the regularised group (not biases or norms) at every step.
    const weightDecayAt = (step: number, total: number) =>
      cosineRamp(step, total, config.weightDecay, config.weightDecayEnd);

    /** Student logits [V, N, K] over all crops, one backbone pass per crop resolution (MultiCropWrapper). */
    const studentLogits = (batch: TrainBatch, freezeLastLayer: boolean): tf.Tensor3D => {
      const views = batch.views;
      const n = views[0]!.shape[0];
      const globals = views.slice(0, 2);
      const locals = views.slice(2);
      const features = [student.backbone.forward(tf.concat(globals, 0), true)];
      if (locals.length > 0) features.push(student.backbone.forward(tf.concat(locals, 0), true));
      const logits = studentHead.forward(tf.concat(features, 0), true, freezeLastLayer);
      return tf.reshape(logits, [views.length, n, config.prototypes]);
    };

    return {
      encoder: teacher.backbone,
      student,
      teacher,
      center,
      trainableParameters: () => student.namedParameters('student.'),
      // Released main_dino.py: utils.clip_gradients(student, clip_grad) before the step, each parameter's
      // gradient on its own; and the weight-decay schedule.
      optimisation: {
        clipGradientNorm: config.clipGrad,
        weightDecay: (ctx) => weightDecayAt(ctx.step, ctx.totalSteps),
      },
      trainingState: () => state.trainingState(),
      restoreTrainingState: (saved) => state.restoreTrainingState(saved),
      // The teacher θ_t ← λθ_t + (1 − λ)θ_s, λ on a cosine from its start to 1 (Sec. 3.1).
      momentumPairs: [
        { online: student, target: teacher, momentum: (ctx) => momentumAt(ctx.step, ctx.totalSteps) },
      ],
      step(batch, ctx) {
        const n = batch.views[0]!.shape[0];
        const s = studentLogits(batch, ctx.epoch < config.freezeLastLayerEpochs);
        // The teacher sees the two global crops only; dinoLoss stops its gradient.
        const t = teacher.forward(tf.concat(batch.views.slice(0, 2), 0), true);
        const teacherTemperature = teacherTemperatureAt(
          ctx.step,
          ctx.stepsPerEpoch,
          config.teacherTemperatureWarmupEpochs,
          config.warmupTeacherTemperature,
          config.teacherTemperature,
        );
        const { loss, newCenter } = dinoLoss(
          s,
          tf.reshape(t, [2, n, config.prototypes]),
          center as tf.Tensor1D,
          {
            studentTemperature: config.studentTemperature,
            teacherTemperature,
            centerMomentum: config.centerMomentum,
          },
        );
        pendingCenter?.dispose();
        pendingCenter = tf.keep(newCenter);
        return {
          loss,
          logs: {
            teacher_temperature: tf.scalar(teacherTemperature),
            teacher_momentum: tf.scalar(momentumAt(ctx.step, ctx.totalSteps)),
            weight_decay: tf.scalar(weightDecayAt(ctx.step, ctx.totalSteps)),
          },
        };
      },
      afterStep() {
        // Alg. 1: after the teacher's EMA, the centre EMA of this step's teacher outputs.
        if (pendingCenter) {
          center.assign(pendingCenter);
          pendingCenter.dispose();
          pendingCenter = null;
        }
      },
      dispose() {
        pendingCenter?.dispose();
        student.dispose();
        teacher.dispose();
        center.dispose();
      },
    };
  },
};
