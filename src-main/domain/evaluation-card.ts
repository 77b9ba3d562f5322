/**
 * The evaluation card: for one number a run shows (a kNN accuracy, a linear probe's, a fine-tune's, a
 * distilled student's, a transfer's, a loss), how it was measured. Everything on it is read from where
 * the run keeps it: the run's config (kNN k and τ, the labelled images evaluation fits on), its dataset
 * spec (the training and test subsets), the step of the summary value, the epoch of its point where the
 * client has the series, and the job that wrote it (its params and result) for a fine-tune, a
 * distillation or a transfer. The fixed recipes of the linear probe and the fine-tune are declared here
 * once; the engine's evaluations take their defaults from them (engine/eval/linear-probe.ts, fine-tune.ts).
 */
import type { DatasetSpec } from './dataset';
import type { Job, JobKind } from './job';
import {
  describeMetric,
  fineTuneShareOfKey,
  transferTargetName,
  type MetricGroup,
  type MetricSpec,
} from './metrics';

/**
 * What kNN and the linear probe judge: the backbone's output, L2-normalised, from un-augmented images with
 * batch norm in eval mode (engine/eval/features.ts), never the projection head's. SimCLR's finding (Chen
 * et al. 2020, Sec. 4.2: the representation before the head is better by over 10%) is why.
 */
export type FeatureSource = 'backbone';
export const evaluationFeatures: FeatureSource = 'backbone';

/** The linear probe's optimiser: a run's `probeOptimizer`, a probe job's `optimizer`. */
export type ProbeOptimizer = 'adam' | 'sgd';
export const probeOptimizers: readonly ProbeOptimizer[] = ['adam', 'sgd'];

/**
 * The linear probe's recipe with Adam (the default; scaled to a CPU): multinomial logistic regression on
 * standardised frozen features, full batch, Adam with a cosine decay to 0, L2 penalty λ.
 */
export const linearProbeRecipe = {
  optimiser: 'adam',
  /** Full-batch Adam steps (one per epoch over the features). */
  steps: 300,
  learningRate: 0.05,
  weightDecay: 1e-4,
} as const;

/**
 * The papers' probe protocol: SimCLR (Chen et al. 2020, App. B.6: SGD with Nesterov momentum 0.9,
 * learning rate 0.1 × batch / 256, cosine decay, no regularisation, 90 epochs at batch 4096) and MoCo
 * (He et al. 2020, Sec. 4.1: SGD, momentum 0.9, no weight decay), on the same standardised features.
 * Scaled to the small datasets here: batch 256 (the ~10,000 labelled images of a subset give ~40 steps an
 * epoch; batch 4096 would give 2) and 100 epochs, about SimCLR's 90.
 */
export const sgdLinearProbeRecipe = {
  optimiser: 'sgd',
  /** Passes over the training features, each a shuffled sequence of mini-batches. */
  epochs: 100,
  batchSize: 256,
  /** Peak rate at batch 256 (SimCLR: 0.1 × batch / 256), decayed to 0 on a cosine over every step. */
  learningRate: 0.1,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 0,
} as const;

/**
 * The fine-tune's recipe (SimCLR v1 App. B.5): SGD with momentum 0.9, learning rate 0.05 × batch / 256,
 * a cosine decay to 0, no weight decay, batch 64 (at most the labelled subset).
 */
export const fineTuneRecipe = {
  optimiser: 'sgd',
  momentum: 0.9,
  learningRatePer256: 0.05,
  batchSize: 64,
} as const;

/** The kinds of measurement a card describes. */
export type MeasurementKind =
  | 'knn'
  | 'probe'
  | 'finetune'
  | 'distill'
  | 'transfer-knn'
  | 'transfer-probe'
  /** A loss, or one of its terms, or any other value of the training step. */
  | 'training'
  /** A diagnostic of the representation on the test images (alignment, effective rank, …). */
  | 'diagnostic'
  /** The value a schedule set at a step (a learning rate, a momentum): a setting, not a measurement. */
  | 'schedule'
  /** Throughput, memory, step time: the machine's, not the representation's. */
  | 'system';

export interface KnnProtocol {
  k: number;
  temperature: number;
  features: FeatureSource;
  /** Labelled training images the neighbours are drawn from; null: the whole labelled split. */
  fitImages: number | null;
}

export interface ProbeProtocol {
  optimiser: ProbeOptimizer;
  /** Full-batch Adam steps, or SGD's epochs over the features. */
  steps: number;
  learningRate: number;
  weightDecay: number;
  /** SGD's mini-batch and Nesterov momentum; null for full-batch Adam. */
  batchSize: number | null;
  momentum: number | null;
  features: FeatureSource;
  /** Labelled training images the classifier is fit on; null: the whole labelled split. */
  fitImages: number | null;
}

export interface FineTuneProtocol {
  /** Share of the labelled training split, in percent. */
  labelPercent: number | null;
  /** Labelled images of that share, where the job reported them. */
  labelledImages: number | null;
  /** Epochs over the labelled subset; null where no job says. */
  epochs: number | null;
  /** Projection-head layers fine-tuned with the backbone (SimCLR v2's `fineTuneFromLayer`), 0 for the backbone alone. */
  headLayers: number;
  optimiser: (typeof fineTuneRecipe)['optimiser'];
  momentum: number;
  learningRatePer256: number;
  batchSize: number;
}

export interface DistillProtocol {
  /** The teacher's share of the labels, in percent. */
  labelPercent: number | null;
  temperature: number | null;
  labelWeight: number | null;
  studentWidth: number | null;
  epochs: number | null;
}

/** The images a number was measured on. */
export interface CardDataset {
  /** The dataset's id, or for a transfer the target's key (domain/metrics.ts transferTargetKey). */
  id: string;
  /** The dataset in words where the key names another than the run's (a transfer's target). */
  name: string | null;
  /** Training images (the first N of the split); null: the whole split. */
  trainImages: number | null;
  /** Test images the number is measured on; null: the whole split. */
  testImages: number | null;
  /** Side in pixels the images were read at; null: the dataset's own. */
  imageSize: number | null;
}

export interface EvaluationCard {
  key: string;
  kind: MeasurementKind;
  method: string;
  dataset: CardDataset;
  /** Step of the value; null when the run has none. */
  step: number | null;
  /** Epochs trained when it was taken (fractional within an epoch); null where unknown. */
  epoch: number | null;
  /** Taken at step 0: the random initialisation, not what the run learnt. */
  atInitialisation: boolean;
  /** Images per training step (what a step means). */
  batchSize: number | null;
  knn?: KnnProtocol;
  probe?: ProbeProtocol;
  fineTune?: FineTuneProtocol;
  distill?: DistillProtocol;
}

/** What a card reads of a run (a subset of Run, so tests and the renderer may pass less). */
export interface CardRun {
  method: string;
  dataset: DatasetSpec;
  config: Record<string, unknown>;
  summarySteps?: Record<string, number>;
}

export interface CardContext {
  /** The step of the value (default: the summary's step for the key). */
  step?: number;
  /** The epoch of the value's point, where the client has the run's series. */
  epoch?: number;
  /** The value, to find the job that wrote it among `jobs`. */
  value?: number;
  /** The run's jobs, where loaded: a fine-tune, distillation or transfer number reads its job's settings. */
  jobs?: readonly Pick<Job, 'kind' | 'status' | 'params' | 'result' | 'id'>[];
  /** Metric keys a method declares (MethodInfo.metrics). */
  declared?: Readonly<Record<string, MetricSpec>>;
}

const positive = (v: unknown): number | null => (typeof v === 'number' && v > 0 ? v : null);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** STL-10 trains on its unlabelled split; kNN and the probe fit on its separate labelled one (evalTrainSplit). */
const separateLabelledSplit: ReadonlySet<string> = new Set(['stl10']);

/**
 * Labelled images evaluation fits on: the first `evalTrainSize` (0 = all) of the labelled training split,
 * which is the training subset itself unless the dataset keeps a separate labelled split.
 */
function fitImagesOf(run: CardRun, trainImages: number | null): number | null {
  const limit = positive(run.config.evalTrainSize);
  const labelled = separateLabelledSplit.has(run.dataset.id) ? null : trainImages;
  if (limit === null) return labelled;
  return labelled === null ? limit : Math.min(limit, labelled);
}

/** Epochs trained at `step`, from the steps of an epoch (the last incomplete batch dropped, as train.ts does). */
function epochAtStep(
  step: number | null,
  trainImages: number | null,
  batchSize: number | null,
): number | null {
  if (step === null) return null;
  if (step === 0) return 0;
  if (trainImages === null || batchSize === null) return null;
  const stepsPerEpoch = Math.floor(trainImages / batchSize);
  return stepsPerEpoch > 0 ? step / stepsPerEpoch : null;
}

const groupKinds: Partial<Record<MetricGroup, MeasurementKind>> = {
  knn: 'knn',
  probe: 'probe',
  diagnostics: 'diagnostic',
  training: 'training',
  throughput: 'system',
  system: 'system',
};

/** A schedule's value (scheduleMetric in metrics.ts): written each step, never smoothed, no better value. */
const isSchedule = (spec: MetricSpec) =>
  spec.group === 'training' && spec.direction === 'neither' && !spec.smoothable;

const transferKey = /^transfer_(knn|probe)_top[15]_([a-z0-9_]+)$/;

/** Which job kind writes a key (fine-tune, distillation, transfer), or null for the training loop's. */
export function jobKindOfKey(key: string): JobKind | null {
  if (key.startsWith('distill_')) return 'distill';
  if (transferKey.test(key)) return 'transfer';
  if (describeMetric(key).group === 'finetune') return 'fine-tune';
  return null;
}

/** The job's result under the name a key's value was reported from. */
function resultValueOf(key: string, result: Record<string, number>): number | undefined {
  const k5 = /top5/.test(key);
  if (key.startsWith('transfer_knn_')) return k5 ? result.knnTop5 : result.knnTop1;
  return k5 ? result.top5 : result.top1;
}

/**
 * The job behind a job's number: among the run's completed jobs of the key's kind (of its share of the
 * labels, or its target), the newest whose result is `value`, else the newest. Null when none is loaded.
 */
export function jobBehind(
  key: string,
  jobs: CardContext['jobs'],
  value?: number,
): Pick<Job, 'kind' | 'status' | 'params' | 'result' | 'id'> | null {
  const kind = jobKindOfKey(key);
  if (!kind || !jobs) return null;
  const share = fineTuneShareOfKey(key)?.labelPercent;
  const target = transferKey.exec(key)?.[2];
  const candidates = jobs
    .filter((j) => j.kind === kind && j.status === 'completed')
    .filter((j) => share === undefined || Number(j.params?.labelPercent) === share)
    .filter((j) => {
      if (target === undefined) return true;
      const id = String(j.params?.dataset ?? '').replace(/-/g, '_');
      return target === id || target.startsWith(`${id}_`);
    })
    .sort((a, b) => b.id - a.id);
  const exact =
    value === undefined
      ? undefined
      : candidates.find((j) => j.result && resultValueOf(key, j.result) === value);
  return exact ?? candidates[0] ?? null;
}

/** The recipe fields of a card's probe section for `optimiser`. */
export function probeRecipeOf(optimiser: ProbeOptimizer): Omit<ProbeProtocol, 'features' | 'fitImages'> {
  if (optimiser === 'sgd') {
    const r = sgdLinearProbeRecipe;
    return {
      optimiser,
      steps: r.epochs,
      learningRate: r.learningRate,
      weightDecay: r.weightDecay,
      batchSize: r.batchSize,
      momentum: r.momentum,
    };
  }
  const r = linearProbeRecipe;
  return {
    optimiser,
    steps: r.steps,
    learningRate: r.learningRate,
    weightDecay: r.weightDecay,
    batchSize: null,
    momentum: null,
  };
}

const asProbeOptimizer = (v: unknown): ProbeOptimizer | null =>
  probeOptimizers.includes(v as ProbeOptimizer) ? (v as ProbeOptimizer) : null;

/**
 * The optimiser behind a probe number: a linear-probe job's `optimizer` where the value is a job's (a
 * completed probe job of the run whose result is the value), else the run's `probeOptimizer` (its own
 * end-of-run probe); Adam for runs recorded before the choice existed.
 */
function probeOptimizerOf(key: string, run: CardRun, context: CardContext): ProbeOptimizer {
  // A transfer's probe (eval/transfer.ts) keeps the default recipe.
  if (transferKey.test(key)) return 'adam';
  if (key.startsWith('probe_') && context.jobs && context.value !== undefined) {
    const k5 = key.endsWith('top5');
    const job = context.jobs
      .filter((j) => j.kind === 'linear-probe' && j.status === 'completed' && j.result)
      .sort((a, b) => b.id - a.id)
      .find((j) => (k5 ? j.result!.top5 : j.result!.top1) === context.value);
    if (job) return asProbeOptimizer(job.params?.optimizer) ?? 'adam';
  }
  return asProbeOptimizer(run.config.probeOptimizer) ?? 'adam';
}

/** How the number under `key` of `run` was measured. */
export function evaluationCard(run: CardRun, key: string, context: CardContext = {}): EvaluationCard {
  const spec = describeMetric(key, context.declared ?? {});
  const transfer = transferKey.exec(key);
  const kind: MeasurementKind = transfer
    ? transfer[1] === 'knn'
      ? 'transfer-knn'
      : 'transfer-probe'
    : key.startsWith('distill_')
      ? 'distill'
      : spec.group === 'finetune'
        ? 'finetune'
        : isSchedule(spec)
          ? 'schedule'
          : (groupKinds[spec.group] ?? 'training');
  const step = context.step ?? run.summarySteps?.[key] ?? null;
  const batchSize = positive(run.config.batchSize);
  const trainImages = positive(run.dataset.trainSize);
  const job = jobBehind(key, context.jobs, context.value);
  const params = job?.params ?? {};
  const result = job?.result ?? {};

  const dataset: CardDataset = transfer
    ? {
        id: transfer[2]!,
        name: transferTargetName(transfer[2]!),
        trainImages: positive(result.trainImages) ?? positive(params.trainSize),
        testImages: positive(result.testImages) ?? positive(params.testSize),
        imageSize: positive(run.dataset.imageSize),
      }
    : {
        id: run.dataset.id,
        name: null,
        trainImages,
        testImages: positive(run.dataset.testSize),
        imageSize: positive(run.dataset.imageSize),
      };

  const card: EvaluationCard = {
    key,
    kind,
    method: run.method,
    dataset,
    step,
    epoch: context.epoch ?? epochAtStep(step, trainImages, batchSize),
    atInitialisation: step === 0,
    batchSize,
  };
  // A transfer fits on at most evalTrainSize of the target's labelled training images, as the run's own.
  const fitImages = transfer
    ? (() => {
        const limit = positive(run.config.evalTrainSize);
        const all = dataset.trainImages;
        return limit === null ? all : all === null ? limit : Math.min(limit, all);
      })()
    : fitImagesOf(run, trainImages);
  if (kind === 'knn' || kind === 'transfer-knn') {
    card.knn = {
      k: finite(run.config.knnK) ?? 200,
      temperature: finite(run.config.knnTemperature) ?? 0.1,
      features: evaluationFeatures,
      fitImages,
    };
  }
  if (kind === 'probe' || kind === 'transfer-probe') {
    card.probe = {
      ...probeRecipeOf(probeOptimizerOf(key, run, context)),
      features: evaluationFeatures,
      fitImages,
    };
  }
  if (kind === 'finetune') {
    card.fineTune = {
      labelPercent: fineTuneShareOfKey(key)?.labelPercent ?? positive(params.labelPercent),
      labelledImages: positive(result.labelledImages),
      epochs: positive(params.epochs) ?? positive(result.epochs),
      headLayers: finite(run.config.fineTuneFromLayer) ?? 0,
      optimiser: fineTuneRecipe.optimiser,
      momentum: fineTuneRecipe.momentum,
      learningRatePer256: fineTuneRecipe.learningRatePer256,
      batchSize: fineTuneRecipe.batchSize,
    };
  }
  if (kind === 'distill') {
    card.distill = {
      labelPercent: positive(params.labelPercent),
      temperature: positive(params.temperature),
      labelWeight: finite(params.labelWeight),
      studentWidth: positive(params.studentWidth) ?? positive(result.studentWidth),
      epochs: positive(params.epochs) ?? positive(result.epochs),
    };
  }
  return card;
}

/** Whether a card describes an evaluation of the representation (what the card's protocol section is for). */
export function isEvaluationKind(kind: MeasurementKind): boolean {
  return kind !== 'training' && kind !== 'diagnostic' && kind !== 'schedule' && kind !== 'system';
}
