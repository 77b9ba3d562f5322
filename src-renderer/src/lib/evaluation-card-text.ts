/**
 * An evaluation card (domain/evaluation-card.ts) and a comparability verdict (domain/comparability.ts) in
 * words, in the app's language: what the hover card lists and what Compare's warning says.
 */
import {
  transferTargetName,
  type EvaluationCard,
  type IncomparabilityReason,
} from '../../../src-main/domain';
import { i18n, type Locale } from '../i18n';
import { zhDatasets } from '../i18n/zh-methods';

export interface CardLine {
  /** Stable id of the line (tests and keys). */
  id: string;
  label: string;
  value: string;
}

const t = (key: string, values: Record<string, unknown> = {}) => i18n.global.t(key, values);
const locale = () => i18n.global.locale.value as Locale;

/** A count as the language writes it: 50,000. */
export function formatCount(n: number): string {
  return n.toLocaleString(locale());
}

/** Up to two decimals, trailing zeros dropped: 1, 2.5, 0.33. */
function formatEpoch(epoch: number): string {
  return String(Math.round(epoch * 100) / 100);
}

/**
 * A dataset id in words: "CIFAR-10", "Fashion-MNIST" (the names metric labels use); in Chinese as the
 * form says it.
 */
export function datasetName(id: string): string {
  return (locale() === 'zh' && zhDatasets[id]?.name) || transferTargetName(id.replace(/-/g, '_'));
}

const images = (n: number | null) => (n === null ? t('evaluationCard.value.wholeSplit') : formatCount(n));

/** What the card says the number is: "Weighted kNN", "Transfer: linear probe on Fashion-MNIST". */
export function cardHeading(card: EvaluationCard): string {
  return t(`evaluationCard.kind.${card.kind}`, { dataset: card.dataset.name ?? '', method: card.method });
}

/** The card's lines: the images, the protocol, when it was taken. */
export function cardLines(card: EvaluationCard): CardLine[] {
  const out: CardLine[] = [];
  const line = (id: string, value: string) => out.push({ id, label: t(`evaluationCard.row.${id}`), value });
  const { dataset } = card;
  line('dataset', dataset.name ?? datasetName(dataset.id));
  if (card.kind === 'system' || card.kind === 'schedule') {
    line('when', when(card));
    return out;
  }
  if (card.kind !== 'diagnostic' && !card.dataset.name) line('trained', images(dataset.trainImages));
  if (card.kind !== 'training') line('tested', images(dataset.testImages));
  line(
    'imageSize',
    dataset.imageSize === null
      ? t('evaluationCard.value.ownSize')
      : t('evaluationCard.value.px', { n: dataset.imageSize }),
  );
  if (card.knn) {
    line('knn', t('evaluationCard.value.knn', { k: card.knn.k, temperature: card.knn.temperature }));
    line('fit', fitImages(card.knn.fitImages));
    line('features', t(`evaluationCard.value.features.${card.knn.features}`));
  }
  if (card.probe) {
    const p = card.probe;
    line(
      'probe',
      p.optimiser === 'sgd'
        ? t('evaluationCard.value.probeSgd', {
            epochs: p.steps,
            batch: p.batchSize ?? '?',
            momentum: p.momentum ?? '?',
            lr: p.learningRate,
            wd: p.weightDecay,
          })
        : t('evaluationCard.value.probe', { steps: p.steps, lr: p.learningRate, wd: p.weightDecay }),
    );
    line('fit', fitImages(p.fitImages));
    line('features', t(`evaluationCard.value.features.${p.features}`));
  }
  if (card.fineTune) {
    const f = card.fineTune;
    const share = f.labelPercent === null ? '?' : f.labelPercent;
    line(
      'share',
      f.labelledImages === null
        ? t('evaluationCard.value.share', { share })
        : t('evaluationCard.value.shareImages', { share, n: formatCount(f.labelledImages) }),
    );
    line(
      'fineTuneEpochs',
      f.epochs === null
        ? t('evaluationCard.value.unknown')
        : t('evaluationCard.value.epochs', { n: f.epochs }),
    );
    line(
      'network',
      f.headLayers > 0
        ? i18n.global.t('evaluationCard.value.networkHead', { n: f.headLayers }, f.headLayers)
        : t('evaluationCard.value.networkBackbone'),
    );
    line(
      'optimiser',
      t('evaluationCard.value.fineTuneRecipe', {
        momentum: f.momentum,
        lr: f.learningRatePer256,
        batch: f.batchSize,
      }),
    );
  }
  if (card.distill) {
    const d = card.distill;
    const or = (v: number | null) => (v === null ? '?' : v);
    line('share', t('evaluationCard.value.share', { share: or(d.labelPercent) }));
    line(
      'distill',
      t('evaluationCard.value.distill', {
        temperature: or(d.temperature),
        weight: or(d.labelWeight),
        width: or(d.studentWidth),
      }),
    );
    line(
      'distillEpochs',
      d.epochs === null
        ? t('evaluationCard.value.unknown')
        : t('evaluationCard.value.epochs', { n: d.epochs }),
    );
  }
  if (card.kind === 'training')
    line('comparable', t('evaluationCard.value.methodOnly', { method: card.method }));
  line('when', when(card));
  return out;
}

function fitImages(n: number | null): string {
  return n === null
    ? t('evaluationCard.value.allLabelled')
    : t('evaluationCard.value.labelled', { n: formatCount(n) });
}

/** "step 40 · epoch 4", "step 0: the random initialisation". */
function when(card: EvaluationCard): string {
  if (card.step === null) return '—';
  if (card.atInitialisation) return t('evaluationCard.value.init');
  return card.epoch === null
    ? t('evaluationCard.value.step', { step: formatCount(card.step) })
    : t('evaluationCard.value.stepEpoch', { step: formatCount(card.step), epoch: formatEpoch(card.epoch) });
}

/** One way two numbers were measured differently, in words: "kNN k = 10 vs 200". */
export function reasonText(r: IncomparabilityReason): string {
  const word = (v: string | number | null): string => {
    if (v === null)
      return r.kind === 'trainImages' || r.kind === 'testImages' || r.kind === 'fitImages'
        ? t('comparability.all')
        : '?';
    if (typeof v === 'number') return r.kind === 'epoch' ? formatEpoch(v) : formatCount(v);
    return r.kind === 'features' ? t(`evaluationCard.value.features.${v}`) : v;
  };
  if (r.kind === 'epoch' && r.a === null) return t('comparability.reason.epochSteps');
  return t(`comparability.reason.${r.kind}`, { a: word(r.a), b: word(r.b) });
}

/** Every difference, joined: "kNN k = 10 vs 200; tested on 64 vs 32 images". */
export function reasonsText(reasons: readonly IncomparabilityReason[]): string {
  return reasons.map(reasonText).join(t('comparability.separator'));
}
