import type { DatasetId, DatasetSpec } from './dataset';
import { humanise } from './humanise';

/**
 * The metric registry: what every metric key means, declared once for every layer. The training loop
 * writes metric points under these keys; the app, the comparison and the exports read their labels,
 * formats and directions from here. A method declares the extra scalars its step logs with the same
 * MetricSpec (MethodInfo.metrics); any other key gets a neutral spec (describeMetric).
 */

/** The languages metric labels are written in (the app's languages). */
export type LabelLocale = 'en' | 'zh';
export type LocalisedText = Readonly<Record<LabelLocale, string>>;

/** How a value is written. */
export type MetricFormat =
  /** A fraction shown as a percentage: 0.4567 → "45.7%" with one decimal. */
  | { readonly kind: 'percent'; readonly decimals: number }
  /** A fixed number of decimals: 1234.5 → "1235" with none. */
  | { readonly kind: 'fixed'; readonly decimals: number }
  /** Rounded to a whole number: counts, dimensions. */
  | { readonly kind: 'integer' }
  /** Up to `digits` significant digits, in scientific notation below 1e-3 and from 1e5 on. */
  | { readonly kind: 'significant'; readonly digits: number }
  /** Always in scientific notation with `decimals` decimals. */
  | { readonly kind: 'scientific'; readonly decimals: number };

/** Which way is better, for highlighting the best run; 'neither' where it depends on the method or the loss. */
export type MetricDirection = 'higher' | 'lower' | 'neither';

/** How often a metric is written: every training step (or every few), or at each evaluation. */
export type MetricCadence = 'step' | 'epoch';

/**
 * Where a metric's chart goes: the training curves, the kNN monitor, the linear probe, the representation
 * diagnostics (the run view's evaluation section draws these and the probe), throughput, and the
 * fine-tuning of the whole network on a share of the labels (on-demand jobs, fineTuneMetrics below), and
 * the frozen features judged on another dataset (transfer jobs, transferMetricKey below).
 */
export type MetricGroup =
  'training' | 'knn' | 'probe' | 'diagnostics' | 'throughput' | 'system' | 'finetune' | 'transfer';

export interface MetricSpec {
  /** What a person reads in chart titles and table rows. */
  readonly label: LocalisedText;
  /** A unit the label is shown with ("Throughput (images/s)"); none for fractions, counts and pure numbers. */
  readonly unit?: LocalisedText;
  readonly format: MetricFormat;
  readonly direction: MetricDirection;
  /** Whether charts may smooth it: noisy per-step values yes; schedules and evaluations, a few meaningful points, no. */
  readonly smoothable: boolean;
  /** 'epoch': written at evaluations (step 0 = the random initialisation, after each epoch, the probe at the end). */
  readonly cadence: MetricCadence;
  readonly group: MetricGroup;
}

const significant = { kind: 'significant', digits: 4 } as const;
const percent = { kind: 'percent', decimals: 1 } as const;

/** A loss, or one term of it, written every step. */
export const lossMetric = (label: LocalisedText) =>
  ({
    label,
    format: significant,
    direction: 'lower',
    smoothable: true,
    cadence: 'step',
    group: 'training',
  }) as const satisfies MetricSpec;

/**
 * The value a schedule sets at each step (a learning rate, a momentum, a temperature): its curve is the
 * schedule itself, so it is never smoothed, and no value is better than another.
 */
export const scheduleMetric = (label: LocalisedText) =>
  ({
    label,
    format: significant,
    direction: 'neither',
    smoothable: false,
    cadence: 'step',
    group: 'training',
  }) as const satisfies MetricSpec;

/** An accuracy of an evaluation of the representation, as a fraction of the test images. */
const accuracyMetric = <G extends 'knn' | 'probe' | 'finetune' | 'transfer'>(
  group: G,
  label: LocalisedText,
) =>
  ({
    label,
    format: percent,
    direction: 'higher',
    smoothable: false,
    cadence: 'epoch',
    group,
  }) as const satisfies MetricSpec;

/** What the machine spends on a run, sampled while it trains; `unit` the same in both languages. */
const systemMetric = <D extends MetricDirection>(
  label: LocalisedText,
  unit: string,
  direction: D,
  decimals: number,
) =>
  ({
    label,
    unit: { en: unit, zh: unit },
    format: { kind: 'fixed', decimals },
    direction,
    smoothable: true,
    cadence: 'step',
    group: 'system',
  }) as const satisfies MetricSpec;

/** A diagnostic of the representation, written once per evaluation. */
const diagnosticMetric = <D extends MetricDirection>(
  label: LocalisedText,
  direction: D,
  format: MetricFormat = significant,
) =>
  ({
    label,
    format,
    direction,
    smoothable: false,
    cadence: 'epoch',
    group: 'diagnostics',
  }) as const satisfies MetricSpec;

/**
 * The keys the training loop writes for every method, in the order the comparison lists them. The
 * diagnostics are measured on un-augmented test images for embedding_std / embedding_dim (the projector's
 * output z where the method has one, as SimSiam's fig. 2) and effective_rank (the backbone's output, as
 * RankMe), and on two augmented views of a fixed set of images, backbone features, for the rest.
 */
const coreMetrics = {
  loss: lossMetric({ en: 'Loss', zh: '损失' }),
  lr: scheduleMetric({ en: 'Learning rate', zh: '学习率' }),
  // Weighted kNN on the test split (Wu et al. 2018).
  knn_top1: accuracyMetric('knn', { en: 'kNN top-1 accuracy', zh: 'kNN top-1 准确率' }),
  knn_top5: accuracyMetric('knn', { en: 'kNN top-5 accuracy', zh: 'kNN top-5 准确率' }),
  // A linear classifier on frozen features (the SimCLR/MoCo protocol): end of run, and on-demand jobs.
  probe_top1: accuracyMetric('probe', { en: 'Linear probe top-1', zh: '线性探测 top-1' }),
  probe_top5: accuracyMetric('probe', { en: 'Linear probe top-5', zh: '线性探测 top-5' }),
  // Alignment and uniformity of the normalised embedding, both minimised (Wang & Isola 2020, eqs. 4–5).
  align: diagnosticMetric({ en: 'Alignment', zh: '对齐度' }, 'lower'),
  uniform: diagnosticMetric({ en: 'Uniformity', zh: '均匀度' }, 'lower'),
  // The std of the L2-normalised projector output z per dimension, averaged (SimSiam §4.1, fig. 2): best
  // near 1/√d, not highest, collapsed at 0. embedding_dim is z's d.
  embedding_std: diagnosticMetric({ en: 'Embedding std', zh: '嵌入标准差' }, 'neither'),
  embedding_dim: diagnosticMetric({ en: 'Embedding dimension', zh: '嵌入维度' }, 'neither', {
    kind: 'integer',
  }),
  // RankMe (Garrido et al. 2023, eq. 1): a higher effective rank goes with better downstream accuracy.
  effective_rank: diagnosticMetric({ en: 'Effective rank', zh: '有效秩' }, 'higher'),
  // The width d of the backbone's features effective_rank is measured on: the rank lies between 1 and d
  // (embedding_dim is the projector's width, which may differ).
  representation_dim: diagnosticMetric({ en: 'Representation dimension', zh: '表示维度' }, 'neither', {
    kind: 'integer',
  }),
  // Mean cosine similarity of positive / negative pairs: where they should sit depends on the loss.
  pos_sim_mean: diagnosticMetric({ en: 'Positive-pair similarity', zh: '正样本对相似度' }, 'neither'),
  neg_sim_mean: diagnosticMetric({ en: 'Negative-pair similarity', zh: '负样本对相似度' }, 'neither'),
  images_per_s: {
    label: { en: 'Throughput', zh: '吞吐量' },
    unit: { en: 'images/s', zh: '图像/秒' },
    format: { kind: 'fixed', decimals: 0 },
    direction: 'higher',
    smoothable: true,
    cadence: 'step',
    group: 'throughput',
  },
  // The run worker's peak resident memory so far (getrusage's maxrss), with every throughput point: what a
  // dataset larger than memory costs a run (batches are read from the dataset cache, not held).
  worker_peak_mb: {
    label: { en: 'Worker peak memory', zh: '工作进程峰值内存' },
    unit: { en: 'MB', zh: 'MB' },
    format: { kind: 'integer' },
    direction: 'lower',
    smoothable: false,
    cadence: 'step',
    group: 'throughput',
  },
  // What the machine spends on the run (runner/callbacks/system-metrics.ts), every two seconds of training.
  cpu_percent: systemMetric(
    { en: 'Worker CPU use', zh: '工作进程 CPU 占用' },
    '% of all cores',
    'neither',
    0,
  ),
  step_ms: systemMetric({ en: 'Step time', zh: '单步耗时' }, 'ms', 'lower', 0),
  worker_rss_mb: systemMetric({ en: 'Worker memory', zh: '工作进程内存' }, 'MB', 'lower', 0),
  tensor_mb: systemMetric({ en: 'Tensor memory', zh: '张量内存' }, 'MB', 'lower', 1),
  wasm_heap_mb: systemMetric({ en: 'WebAssembly heap', zh: 'WebAssembly 堆' }, 'MB', 'lower', 0),
} as const satisfies Record<string, MetricSpec>;

export type CoreMetricKey = keyof typeof coreMetrics;
/** The core keys whose chart group is one of `G`. */
export type CoreMetricKeyOfGroup<G extends MetricGroup> = {
  [K in CoreMetricKey]: (typeof coreMetrics)[K]['group'] extends G ? K : never;
}[CoreMetricKey];

/** Every core key, in the registry's order. */
export const coreMetricKeys = Object.keys(coreMetrics) as CoreMetricKey[];

function isCoreMetricKey(key: string): key is CoreMetricKey {
  return Object.hasOwn(coreMetrics, key);
}

/** The core keys of the chart groups `groups`, in the registry's order. */
export function coreMetricKeysOfGroup<G extends MetricGroup>(...groups: G[]): CoreMetricKeyOfGroup<G>[] {
  return coreMetricKeys.filter((k): k is CoreMetricKeyOfGroup<G> =>
    (groups as MetricGroup[]).includes(coreMetrics[k].group),
  );
}

/** The metrics a run view shows first, in this order, even before they have points. */
export const headlineMetricKeys: readonly CoreMetricKey[] = ['loss', 'lr', 'knn_top1', 'images_per_s'];

/**
 * The per-evaluation diagnostics and the linear probe: the run view's evaluation section charts them
 * (and the general metric charts leave them out).
 */
export const diagnosticKeys = coreMetricKeysOfGroup('diagnostics', 'probe');

/**
 * What a fine-tune job writes (engine/services/jobs.ts), at the step of the checkpoint it started from:
 * top-1 and top-5 on the test split after fine-tuning the whole network with a new linear classifier on a
 * class-balanced share of the labelled training split (SimCLR v2, Chen et al. 2020b, Sec. 2). Not core
 * keys: only runs someone fine-tuned have them. `finetune_top1`/`finetune_top5` hold every fine-tune's
 * result whatever its share of the labels (the job records the share, Job.params); the same values are
 * also written under the key of their share (fineTuneMetricKey: `finetune_top1_10pct`), so a chart or a
 * comparison of one share never mixes in another.
 */
export const fineTuneMetrics = {
  finetune_top1: accuracyMetric('finetune', { en: 'Fine-tune top-1', zh: '微调 top-1' }),
  finetune_top5: accuracyMetric('finetune', { en: 'Fine-tune top-5', zh: '微调 top-5' }),
} as const satisfies Record<string, MetricSpec>;

export type FineTuneMetricKey = keyof typeof fineTuneMetrics;

/**
 * What a distillation job writes (engine/services/jobs.ts), at the step of the checkpoint its teacher was
 * fine-tuned from: top-1 and top-5 on the test split of a fresh student trained on the training images
 * against the fine-tuned teacher's softened predictions (SimCLR v2, Chen et al. 2020b, Sec. 2). In the
 * fine-tune's group: both measure what the checkpoint is worth with few labels. The job records its
 * teacher, temperature, label weight and student width (Job.params), and the teacher's top-1 (Job.result).
 */
export const distillMetrics = {
  distill_top1: accuracyMetric('finetune', { en: 'Distilled student top-1', zh: '蒸馏学生 top-1' }),
  distill_top5: accuracyMetric('finetune', { en: 'Distilled student top-5', zh: '蒸馏学生 top-5' }),
} as const satisfies Record<string, MetricSpec>;

export type DistillMetricKey = keyof typeof distillMetrics;

/**
 * The key of a fine-tune's top-k at one share of the labels: `finetune_top1_1pct`, `finetune_top5_10pct`,
 * `finetune_top1_100pct`; a decimal point is written `p` (0.5% → `finetune_top1_0p5pct`).
 */
export function fineTuneMetricKey(labelPercent: number, k: 1 | 5): string {
  return `finetune_top${k}_${String(labelPercent).replace('.', 'p')}pct`;
}

const fineTuneShareKey = /^finetune_top([15])_(\d+(?:p\d+)?)pct$/;

/**
 * The share of the labels and the k of a key of one share (`finetune_top5_0p5pct` → 0.5 and 5), or null
 * for any other key: only a key fineTuneMetricKey writes counts (not `finetune_top1_010pct`).
 */
export function fineTuneShareOfKey(key: string): { labelPercent: number; k: 1 | 5 } | null {
  const m = fineTuneShareKey.exec(key);
  if (!m) return null;
  const labelPercent = Number(m[2]!.replace('p', '.'));
  const k = m[1] === '5' ? 5 : 1;
  return labelPercent > 0 && fineTuneMetricKey(labelPercent, k) === key ? { labelPercent, k } : null;
}

/** The spec of a key of one share of the labels (fineTuneMetricKey), or null for any other key. */
function describeFineTuneShare(key: string): MetricSpec | null {
  const of = fineTuneShareOfKey(key);
  if (!of) return null;
  const base = fineTuneMetrics[`finetune_top${of.k}`];
  const share = `${of.labelPercent}%`;
  return {
    ...base,
    label: { en: `${base.label.en} (${share} labels)`, zh: `${base.label.zh}（${share} 标签）` },
  };
}

/** How a transfer job judges the run's frozen features on the other dataset: weighted kNN or the linear probe. */
export type TransferProtocol = 'knn' | 'probe';

/**
 * The target of a transfer as metric keys name it: the dataset's id with `_` for `-` (`fashion_mnist`),
 * `cifar100_coarse` for CIFAR-100's 20 coarse classes, and an image folder by its folder's name
 * (`imagefolder_flowers`), so transfers to folders of different names never share a key. A subset
 * (trainSize, testSize) shares its dataset's key; the job records the whole spec (Job.params).
 */
export function transferTargetKey(spec: DatasetSpec): string {
  const id = spec.id.replace(/-/g, '_');
  if (spec.id === 'cifar100' && spec.coarseLabels) return `${id}_coarse`;
  if (spec.id === 'imagefolder' && spec.dataDir) {
    const folder = spec.dataDir.split(/[\\/]/).filter(Boolean).at(-1) ?? '';
    const slug = folder
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40);
    if (slug) return `${id}_${slug}`;
  }
  return id;
}

/**
 * What a transfer job writes (engine/services/jobs.ts), at the step of the checkpoint it read: top-1 and
 * top-5 on another dataset's test split of the run's frozen encoder, by weighted kNN (the run's k and τ,
 * Wu et al. 2018 eq. 9) and by the linear probe (SimCLR App. B.6) fitted on that dataset's training split
 * (InstDisc Sec. 4, MoCo Sec. 4.2, SimCLR Sec. 6 and App. B.8): `transfer_knn_top1_fashion_mnist`,
 * `transfer_probe_top5_cifar100`. Only runs someone transferred have them.
 */
export function transferMetricKey(target: string, protocol: TransferProtocol, k: 1 | 5): string {
  return `transfer_${protocol}_top${k}_${target}`;
}

/** The names of transfer targets in labels, as the dataset sources name them (engine/data). */
const transferTargetNames: Readonly<Record<DatasetId, string>> = {
  synthetic: 'Synthetic shapes',
  cifar10: 'CIFAR-10',
  cifar100: 'CIFAR-100',
  stl10: 'STL-10',
  mnist: 'MNIST',
  'fashion-mnist': 'Fashion-MNIST',
  imagefolder: 'Image folder',
};

const transferKeyPattern = /^transfer_(knn|probe)_top([15])_([a-z0-9_]+)$/;

/** A target of transferTargetKey as a label names it: "Fashion-MNIST", "CIFAR-100 (coarse)", "Image folder (flowers)". */
export function transferTargetName(target: string): string {
  for (const [id, name] of Object.entries(transferTargetNames)) {
    const key = id.replace(/-/g, '_');
    if (target === key) return name;
    if (target === `${key}_coarse` && id === 'cifar100') return `${name} (coarse)`;
    if (target.startsWith(`${key}_`) && id === 'imagefolder')
      return `${name} (${target.slice(key.length + 1)})`;
  }
  return target;
}

/** The spec of a transfer key (transferMetricKey): "Transfer to Fashion-MNIST: probe top-1"; null for any other key. */
function describeTransfer(key: string): MetricSpec | null {
  const m = transferKeyPattern.exec(key);
  if (!m) return null;
  const name = transferTargetName(m[3]!);
  const protocol = m[1] === 'knn' ? { en: 'kNN', zh: 'kNN' } : { en: 'probe', zh: '线性探测' };
  return accuracyMetric('transfer', {
    en: `Transfer to ${name}: ${protocol.en} top-${m[2]}`,
    zh: `迁移到 ${name}：${protocol.zh} top-${m[2]}`,
  });
}

/**
 * The spec of a metric key: a core key's, a fine-tune's (fineTuneMetrics, fineTuneMetricKey), a
 * distillation's (distillMetrics), a transfer's (transferMetricKey), else the one `declared` gives (a method's MethodInfo.metrics), else a
 * neutral one: a number with four significant digits, no direction, the key humanised as its label.
 */
export function describeMetric(key: string, declared: Readonly<Record<string, MetricSpec>> = {}): MetricSpec {
  if (isCoreMetricKey(key)) return coreMetrics[key];
  if (Object.hasOwn(fineTuneMetrics, key)) return fineTuneMetrics[key as FineTuneMetricKey];
  if (Object.hasOwn(distillMetrics, key)) return distillMetrics[key as DistillMetricKey];
  const share = describeFineTuneShare(key);
  if (share) return share;
  const transfer = describeTransfer(key);
  if (transfer) return transfer;
  if (Object.hasOwn(declared, key)) return declared[key]!;
  const label = humanise(key);
  return {
    label: { en: label, zh: label },
    format: significant,
    direction: 'neither',
    smoothable: true,
    cadence: 'step',
    group: 'training',
  };
}

/**
 * When a run counts as collapsing, for the worker's log warning and the app's banner alike: std·√d of
 * the normalised embedding below this share of its healthy value 1 (SimSiam §4.1), or an effective
 * rank below this (all outputs near a line).
 */
export const collapseThresholds = { stdRatio: 0.2, effectiveRank: 2 } as const;

export type CollapseReason = 'std' | 'rank';

export interface CollapseCheck {
  collapsing: boolean;
  /** std·√d: 1 is healthy, 0 is collapsed; null when std or d is unknown. */
  stdRatio: number | null;
  rank: number | null;
  reasons: CollapseReason[];
}

/**
 * Whether an embedding is collapsing, and why, from its embedding_std, embedding_dim and effective_rank.
 * The std of the L2-normalised embedding per dimension is about 1/√d when the outputs spread over the
 * sphere and 0 when they collapse to one point (SimSiam, Chen & He 2021, §4.1 and fig. 2); the effective
 * rank (RankMe, Garrido et al. 2023, eq. 1) counts the directions the embedding really uses, from 1 (a
 * line) to d. A missing or non-finite value flags nothing.
 */
export function collapseCheck(std?: number | null, dim?: number | null, rank?: number | null): CollapseCheck {
  const known = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  const stdRatio = known(std) && known(dim) && dim > 0 ? std * Math.sqrt(dim) : null;
  const reasons: CollapseReason[] = [];
  if (stdRatio !== null && stdRatio < collapseThresholds.stdRatio) reasons.push('std');
  if (known(rank) && rank < collapseThresholds.effectiveRank) reasons.push('rank');
  return { collapsing: reasons.length > 0, stdRatio, rank: known(rank) ? rank : null, reasons };
}
