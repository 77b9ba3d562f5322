/**
 * Published CIFAR-10 ResNet-18 results, bundled so a run can be shown beside what its method reached in a
 * library's own benchmark, with how the two differ in protocol and budget spelled out. Every entry was
 * copied from the file and commit its source names (read in the repositories themselves, not recalled):
 *
 * - solo-learn's README, "Results → CIFAR-10": top-1 and top-5 of the *online* linear classifier, a
 *   linear layer trained alongside the backbone on its detached features of the augmented training crops
 *   and evaluated on the test split (solo/methods/base.py); the table's columns were headed
 *   "Acc@1 (online)" until solo-learn commit 221ebc6 renamed them "Acc@1", values unchanged. Budget from
 *   the method's config in scripts/pretrain/cifar/ (ResNet-18, 1,000 epochs, batch 256 on one GPU, 32 px
 *   crops).
 * - lightly's benchmarks page, "CIFAR-10": weighted kNN top-1 (k = 200, τ = 0.1) on backbone features of
 *   all 50,000 training images, evaluated after every epoch; the page reports the best epoch's accuracy.
 *   ResNet-18 with a 3×3 stem and no max-pool, Gaussian blur off, 32 px (benchmarks/cifar10_benchmark.py).
 *
 * Entries for methods ContrastLab does not implement are kept with `method: null`, so the table stays the
 * table as published; `referencesFor` never returns them.
 */
import type { LocalisedText } from './metrics';

/** How a published accuracy was measured. */
export type ReferenceProtocol = 'online-linear' | 'knn';

/** How a run's result is measured: its kNN monitor, or the linear probe trained on frozen features after it. */
export type RunProtocol = 'knn' | 'offline-linear';

/** The run metrics a reference can be compared with, and the protocol each one is. */
export const comparableRunMetrics = {
  knn_top1: 'knn',
  probe_top1: 'offline-linear',
} as const satisfies Record<string, RunProtocol>;
export type ComparableRunMetric = keyof typeof comparableRunMetrics;

/**
 * Which epoch's accuracy a source reports: the best over training (lightly), or one the source does not
 * name (solo-learn's README does not say whether its number is the last epoch's or the best).
 */
export type ReportedEpoch = 'best' | 'unstated';

export interface ReferenceSource {
  /** The library that published the number. */
  library: 'solo-learn' | 'lightly';
  /** The results table: a link to the file at the commit it was read at. */
  url: string;
  /** The commit the table was read at. */
  commit: string;
  /** Where the settings (batch size, epochs, kNN parameters) were read, at the same commit. */
  settingsUrl: string;
}

export interface PublishedReference {
  /** Stable id: library / dataset / method as the source names it / budget. */
  id: string;
  source: ReferenceSource;
  /** The method as the source names it ("MoCo V2+", "SwaV"). */
  sourceMethod: string;
  /** The ContrastLab method id it corresponds to; null where ContrastLab has no such method. */
  method: string | null;
  dataset: 'cifar10';
  /** How the dataset is named in words. */
  datasetName: string;
  /** The full training and test splits: CIFAR-10 has 50,000 and 10,000 images. */
  trainImages: number;
  testImages: number;
  /** Side of the training images in pixels. */
  imageSize: number;
  backbone: 'resnet18';
  /** Channels of the backbone's first stage (ResNet-18: 64). */
  backboneWidth: number;
  epochs: number;
  /** Images per optimisation step. */
  batchSize: number;
  protocol: ReferenceProtocol;
  /** kNN parameters, for protocol 'knn'. */
  knnK?: number;
  knnTemperature?: number;
  /** Labelled training images the classifier (kNN or linear) was fit on. */
  evalTrainImages: number;
  reportedEpoch: ReportedEpoch;
  /** Test accuracy as a fraction in (0, 1]. */
  top1: number;
  top5?: number;
  /** What else sets this entry apart (the source's own caveat, or how its method differs from ContrastLab's). */
  note?: LocalisedText;
}

const cifar10 = {
  dataset: 'cifar10',
  datasetName: 'CIFAR-10',
  trainImages: 50_000,
  testImages: 10_000,
  imageSize: 32,
  backbone: 'resnet18',
  backboneWidth: 64,
  evalTrainImages: 50_000,
} as const;

// solo-learn: README.md at the newest commit read; the CIFAR-10 numbers are unchanged since commit 221ebc6
// (Dec 2021) apart from All4One, added in a151225 (Jan 2024).
const soloLearnCommit = '9187ea39c2c3f43c455ab06664d2b019a9802954';
const soloLearnTable = `https://github.com/vturrisi/solo-learn/blob/${soloLearnCommit}/README.md#cifar-10`;
const soloLearnConfig = (file: string) =>
  `https://github.com/vturrisi/solo-learn/blob/${soloLearnCommit}/scripts/pretrain/cifar/${file}`;

function soloLearn(
  sourceMethod: string,
  method: string | null,
  configFile: string,
  top1Percent: number,
  top5Percent: number,
  note?: LocalisedText,
): PublishedReference {
  return {
    id: `solo-learn/cifar10/${sourceMethod
      .toLowerCase()
      .replace(/\+/g, 'plus')
      .replace(/[^a-z0-9]+/g, '-')}/1000ep`,
    source: {
      library: 'solo-learn',
      url: soloLearnTable,
      commit: soloLearnCommit,
      settingsUrl: soloLearnConfig(configFile),
    },
    sourceMethod,
    method,
    ...cifar10,
    epochs: 1000,
    batchSize: 256,
    protocol: 'online-linear',
    reportedEpoch: 'unstated',
    top1: top1Percent / 100,
    top5: top5Percent / 100,
    ...(note ? { note } : {}),
  };
}

// lightly: docs/source/getting_started/benchmarks.rst, section "CIFAR-10", at the newest commit read.
const lightlyCommit = 'e8d317fc5a87f4387a85a35e689869039ec249ee';
const lightlyTable = `https://github.com/lightly-ai/lightly/blob/${lightlyCommit}/docs/source/getting_started/benchmarks.rst#cifar-10`;
const lightlySettings = `https://github.com/lightly-ai/lightly/blob/${lightlyCommit}/docs/source/getting_started/benchmarks/cifar10_benchmark.py`;

/** lightly marks these rows with *: the memory bank grew from 4,096 to 8,192 for batch 512. */
const lightlyLargerBank: LocalisedText = {
  en: 'Memory bank enlarged from 4,096 to 8,192 for batch 512.',
  zh: '批大小 512 时记忆库由 4,096 增至 8,192。',
};
const lightlyMoco: LocalisedText = {
  en: 'lightly’s MoCo is MoCo v2-style: MLP head 512-512-128, memory bank 4,096, τ = 0.1, momentum 0.99, symmetric loss.',
  zh: 'lightly 的 MoCo 属 MoCo v2 风格：MLP 投影头 512-512-128，记忆库 4,096，τ = 0.1，动量 0.99，对称损失。',
};

function lightly(
  sourceMethod: string,
  method: string | null,
  batchSize: 128 | 512,
  epochs: 200 | 800,
  knnTop1: number,
  note?: LocalisedText,
): PublishedReference {
  return {
    id: `lightly/cifar10/${sourceMethod.toLowerCase()}/${epochs}ep-b${batchSize}`,
    source: { library: 'lightly', url: lightlyTable, commit: lightlyCommit, settingsUrl: lightlySettings },
    sourceMethod,
    method,
    ...cifar10,
    epochs,
    batchSize,
    protocol: 'knn',
    knnK: 200,
    knnTemperature: 0.1,
    reportedEpoch: 'best',
    top1: knnTop1,
    ...(note ? { note } : {}),
  };
}

/** solo/methods/mocov2plus.py and scripts/pretrain/cifar/mocov2plus.yaml. */
const mocoV2Plus: LocalisedText = {
  en: 'solo-learn’s MoCo V2+ is MoCo v2 with a symmetric loss; its CIFAR config: queue 32,768, τ = 0.2, momentum 0.99 → 0.999.',
  zh: 'solo-learn 的 MoCo V2+ 即带对称损失的 MoCo v2；其 CIFAR 配置：队列 32,768，τ = 0.2，动量 0.99 → 0.999。',
};

/** The published table, in the order each source lists it. */
export const publishedReferences: readonly PublishedReference[] = [
  // solo-learn, CIFAR-10, ResNet-18, 1,000 epochs: online linear Acc@1 / Acc@5 (%).
  soloLearn('All4One', null, 'all4one.yaml', 93.24, 99.88),
  soloLearn('Barlow Twins', null, 'barlow.yaml', 92.1, 99.73),
  soloLearn('BYOL', 'byol', 'byol.yaml', 92.58, 99.79),
  soloLearn('DeepCluster V2', null, 'deepclusterv2.yaml', 88.85, 99.58),
  soloLearn('DINO', 'dino', 'dino.yaml', 89.52, 99.71),
  soloLearn('MoCo V2+', 'mocov2', 'mocov2plus.yaml', 92.94, 99.79, mocoV2Plus),
  soloLearn('MoCo V3', 'mocov3', 'mocov3.yaml', 93.1, 99.8),
  soloLearn('NNCLR', null, 'nnclr.yaml', 91.88, 99.78),
  soloLearn('ReSSL', null, 'ressl.yaml', 90.63, 99.62),
  soloLearn('SimCLR', 'simclr', 'simclr.yaml', 90.74, 99.75),
  soloLearn('SimSiam', 'simsiam', 'simsiam.yaml', 90.51, 99.72),
  soloLearn('SupCon', 'supcon', 'supcon.yaml', 93.82, 99.65),
  soloLearn('SwAV', 'swav', 'swav.yaml', 89.17, 99.68),
  soloLearn('VIbCReg', null, 'vibcreg.yaml', 91.18, 99.74),
  soloLearn('VICReg', null, 'vicreg.yaml', 92.07, 99.74),
  soloLearn('W-MSE', null, 'wmse.yaml', 88.67, 99.68),

  // lightly, CIFAR-10, ResNet-18: best-epoch kNN top-1, batch 128 for 200 epochs.
  lightly('BarlowTwins', null, 128, 200, 0.842),
  lightly('BYOL', 'byol', 128, 200, 0.869),
  lightly('DCL', null, 128, 200, 0.844),
  lightly('DCLW', null, 128, 200, 0.833),
  lightly('DINO', 'dino', 128, 200, 0.84),
  lightly('FastSiam', null, 128, 200, 0.906),
  lightly('Moco', 'mocov2', 128, 200, 0.838, lightlyMoco),
  lightly('NNCLR', null, 128, 200, 0.834),
  lightly('SimCLR', 'simclr', 128, 200, 0.847),
  lightly('SimSiam', 'simsiam', 128, 200, 0.819),
  lightly('SwaV', 'swav', 128, 200, 0.812),
  lightly('SMoG', null, 128, 200, 0.743),
  // Batch 512 for 200 epochs.
  lightly('BarlowTwins', null, 512, 200, 0.819),
  lightly('BYOL', 'byol', 512, 200, 0.868),
  lightly('DCL', null, 512, 200, 0.84),
  lightly('DCLW', null, 512, 200, 0.824),
  lightly('DINO', 'dino', 512, 200, 0.813),
  lightly('FastSiam', null, 512, 200, 0.788),
  lightly('Moco', 'mocov2', 512, 200, 0.847, lightlyLargerBank),
  lightly('NNCLR', null, 512, 200, 0.815, lightlyLargerBank),
  lightly('SimCLR', 'simclr', 512, 200, 0.848),
  lightly('SimSiam', 'simsiam', 512, 200, 0.764),
  lightly('SwaV', 'swav', 512, 200, 0.842),
  lightly('SMoG', null, 512, 200, 0.686),
  // Batch 512 for 800 epochs.
  lightly('BarlowTwins', null, 512, 800, 0.859),
  lightly('BYOL', 'byol', 512, 800, 0.91),
  lightly('DCL', null, 512, 800, 0.874),
  lightly('DCLW', null, 512, 800, 0.871),
  lightly('DINO', 'dino', 512, 800, 0.848),
  lightly('FastSiam', null, 512, 800, 0.902),
  lightly('Moco', 'mocov2', 512, 800, 0.899, lightlyLargerBank),
  lightly('NNCLR', null, 512, 800, 0.892, lightlyLargerBank),
  lightly('SimCLR', 'simclr', 512, 800, 0.879),
  lightly('SimSiam', 'simsiam', 512, 800, 0.904),
  lightly('SwaV', 'swav', 512, 800, 0.884),
  lightly('SMoG', null, 512, 800, 0.8),
];

/** The published results for a ContrastLab method on a dataset, in table order (none for most pairs). */
export function referencesFor(method: string, dataset: string): PublishedReference[] {
  return publishedReferences.filter((r) => r.method !== null && r.method === method && r.dataset === dataset);
}

/**
 * The run metric a reference is best compared with, among those the run has: the same protocol where it
 * can be (kNN with kNN; a linear classifier with the linear probe), else the other. Null when it has neither.
 */
export function comparedRunMetric(
  reference: Pick<PublishedReference, 'protocol'>,
  available: Iterable<string>,
): ComparableRunMetric | null {
  const has = new Set(available);
  const preferred: ComparableRunMetric[] =
    reference.protocol === 'knn' ? ['knn_top1', 'probe_top1'] : ['probe_top1', 'knn_top1'];
  return preferred.find((key) => has.has(key)) ?? null;
}

/** The facts of a run that decide how far it is from a reference. */
export interface RunReferenceFacts {
  /** Epochs trained when the compared value was taken. */
  epochs: number;
  batchSize: number;
  backbone: string;
  /** Channels of the backbone's first stage. */
  backboneWidth: number;
  imageSize: number;
  trainImages: number;
  testImages: number;
  /** Labelled training images the kNN monitor and the probe fit on. */
  evalTrainImages: number;
  /** The run metric compared. */
  metric: ComparableRunMetric;
  knnK: number;
  knnTemperature: number;
}

/** One way a run differs from a reference; the renderer puts it in words. */
export type ReferenceDifference =
  | { kind: 'epochs'; reference: number; run: number }
  | { kind: 'batchSize'; reference: number; run: number }
  | { kind: 'backbone'; reference: string; run: string }
  | { kind: 'backboneWidth'; reference: number; run: number }
  | { kind: 'imageSize'; reference: number; run: number }
  | { kind: 'trainImages'; reference: number; run: number; datasetName: string }
  | { kind: 'testImages'; reference: number; run: number; datasetName: string }
  | { kind: 'evalTrainImages'; reference: number; run: number }
  | { kind: 'protocol'; reference: ReferenceProtocol; run: RunProtocol }
  | { kind: 'knnK'; reference: number; run: number }
  | { kind: 'knnTemperature'; reference: number; run: number };

export type ReferenceDifferenceKind = ReferenceDifference['kind'];

/**
 * How a run differs from a reference in protocol and budget, in the order a reader weighs them: budget
 * (epochs, batch), data (images trained on, tested on, fit on, their size), network, protocol. Empty when
 * the run matches the reference in every fact listed. Which epoch the source reports (`reportedEpoch`) is
 * the reference's own property, shown with its protocol: a run's summary is always its latest value.
 */
export function referenceDifferences(
  reference: PublishedReference,
  run: RunReferenceFacts,
): ReferenceDifference[] {
  const out: ReferenceDifference[] = [];
  const numeric = (
    kind: 'epochs' | 'batchSize' | 'backboneWidth' | 'imageSize' | 'evalTrainImages',
    ref: number,
    ours: number,
  ) => {
    if (ref !== ours) out.push({ kind, reference: ref, run: ours });
  };
  numeric('epochs', reference.epochs, run.epochs);
  numeric('batchSize', reference.batchSize, run.batchSize);
  const { datasetName } = reference;
  if (reference.trainImages !== run.trainImages) {
    out.push({ kind: 'trainImages', reference: reference.trainImages, run: run.trainImages, datasetName });
  }
  if (reference.testImages !== run.testImages) {
    out.push({ kind: 'testImages', reference: reference.testImages, run: run.testImages, datasetName });
  }
  // Fewer labelled images for the classifier only matters when the run did not train on fewer already.
  if (run.evalTrainImages !== run.trainImages || reference.evalTrainImages !== reference.trainImages) {
    numeric('evalTrainImages', reference.evalTrainImages, run.evalTrainImages);
  }
  numeric('imageSize', reference.imageSize, run.imageSize);
  if (reference.backbone !== run.backbone) {
    out.push({ kind: 'backbone', reference: reference.backbone, run: run.backbone });
  } else {
    numeric('backboneWidth', reference.backboneWidth, run.backboneWidth);
  }
  const runProtocol = comparableRunMetrics[run.metric];
  if (reference.protocol !== runProtocol) {
    out.push({ kind: 'protocol', reference: reference.protocol, run: runProtocol });
  } else if (reference.protocol === 'knn') {
    if (reference.knnK !== undefined && reference.knnK !== run.knnK) {
      out.push({ kind: 'knnK', reference: reference.knnK, run: run.knnK });
    }
    if (reference.knnTemperature !== undefined && reference.knnTemperature !== run.knnTemperature) {
      out.push({ kind: 'knnTemperature', reference: reference.knnTemperature, run: run.knnTemperature });
    }
  }
  return out;
}

/** What `runReferenceFacts` reads of a run (a subset of `Run`, so tests and the renderer can pass less). */
export interface RunForReference {
  config: Record<string, unknown>;
  dataset: { trainSize?: number; testSize?: number; imageSize?: number };
  summarySteps?: Record<string, number>;
}

const numberOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/**
 * A run's facts for comparing `metric` with `reference`. The dataset's full splits are the reference's
 * (a run of the same dataset trains on its first `trainSize` images, at most all); a run without an
 * image size trains at the dataset's own. Epochs are those trained when the compared value was taken
 * (its step over the steps of an epoch, the last incomplete batch dropped), at most the configured ones.
 */
export function runReferenceFacts(
  run: RunForReference,
  reference: PublishedReference,
  metric: ComparableRunMetric,
): RunReferenceFacts {
  const { config, dataset } = run;
  const limit = (size: number | undefined, full: number) => (size && size > 0 ? Math.min(size, full) : full);
  const trainImages = limit(dataset.trainSize, reference.trainImages);
  const batchSize = numberOr(config.batchSize, 0);
  const configuredEpochs = numberOr(config.epochs, 0);
  const step = run.summarySteps?.[metric];
  const stepsPerEpoch = batchSize > 0 ? Math.floor(trainImages / batchSize) : 0;
  const epochs =
    step !== undefined && stepsPerEpoch > 0
      ? Math.min(configuredEpochs, Math.ceil(step / stepsPerEpoch))
      : configuredEpochs;
  const evalTrainSize = numberOr(config.evalTrainSize, 0);
  return {
    epochs,
    batchSize,
    backbone: typeof config.backbone === 'string' ? config.backbone : 'unknown',
    backboneWidth: numberOr(config.width, 0),
    imageSize: dataset.imageSize ?? reference.imageSize,
    trainImages,
    testImages: limit(dataset.testSize, reference.testImages),
    evalTrainImages: evalTrainSize > 0 ? Math.min(evalTrainSize, trainImages) : trainImages,
    metric,
    knnK: numberOr(config.knnK, 0),
    knnTemperature: numberOr(config.knnTemperature, 0),
  };
}
