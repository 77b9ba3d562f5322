/**
 * The evaluation card and the comparability reasons in words, in both languages: what the hover card
 * lists for a fine-tune, and how an unknown size or a fractional epoch is written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { comparability, evaluationCard, fineTuneMetricKey, type CardRun } from '../../../src-main/domain';
import { i18n } from '../../../src-renderer/src/i18n';
import { cardLines, reasonsText } from '../../../src-renderer/src/lib/evaluation-card-text';

afterEach(() => {
  i18n.global.locale.value = 'en';
});

const run = (over: Partial<CardRun> = {}): CardRun => ({
  method: 'simclrv2',
  dataset: { id: 'cifar10', trainSize: 1000, testSize: 200 },
  config: { batchSize: 100, knnK: 200, knnTemperature: 0.1, fineTuneFromLayer: 1 },
  summarySteps: { knn_top1: 15, [fineTuneMetricKey(10, 1)]: 40 },
  ...over,
});

const lines = (card: ReturnType<typeof evaluationCard>) =>
  Object.fromEntries(cardLines(card).map((l) => [l.id, l.value]));

describe('evaluation card in words', () => {
  it("lists a fine-tune's share, epochs, network and recipe, and when it was taken", () => {
    const jobs = [
      {
        id: 1,
        kind: 'fine-tune' as const,
        status: 'completed' as const,
        params: { labelPercent: 10, epochs: 30 },
        result: { top1: 0.5, labelledImages: 100 },
      },
    ];
    const card = evaluationCard(run(), fineTuneMetricKey(10, 1), { jobs, value: 0.5 });
    expect(lines(card)).toMatchObject({
      dataset: 'CIFAR-10',
      trained: '1,000',
      tested: '200',
      share: '10% of the labels (100 images)',
      fineTuneEpochs: '30 epochs',
      network: 'the backbone and 1 projection-head layer, with a new linear classifier',
      optimiser: 'SGD, momentum 0.9, lr 0.05 × batch / 256, batch 64',
      when: 'step 40 · epoch 4',
    });
    i18n.global.locale.value = 'zh';
    expect(lines(card)).toMatchObject({ share: '10% 的标签（100 张图像）', when: '第 40 步 · 第 4 轮' });
  });

  it("writes the probe's recipe: full-batch Adam, or the papers' SGD", () => {
    const adam = evaluationCard(run(), 'probe_top1');
    const sgd = evaluationCard(run({ config: { ...run().config, probeOptimizer: 'sgd' } }), 'probe_top1');
    expect(lines(adam).probe).toBe(
      'logistic regression, full-batch Adam, 300 steps, lr 0.05 (cosine), weight decay 0.0001',
    );
    expect(lines(sgd).probe).toBe(
      'logistic regression, SGD with Nesterov momentum 0.9, 100 epochs of batch 256, lr 0.1 (cosine), weight decay 0',
    );
    i18n.global.locale.value = 'zh';
    expect(lines(sgd).probe).toMatch(/Nesterov 动量 0.9 的 SGD，批量 256，100 轮/);
  });

  it('writes the whole split as "all" and a fractional epoch to two decimals', () => {
    const full = evaluationCard(run({ dataset: { id: 'cifar10', trainSize: 1000 } }), 'knn_top1');
    const subset = evaluationCard(run(), 'knn_top1', { epoch: 1.3333 });
    expect(reasonsText(comparability(full, subset).reasons)).toBe(
      'tested on all vs 200 images; taken after 1.5 vs 1.33 epochs',
    );
    expect(lines(full).tested).toBe('the whole split');
  });
});

describe('the card in Chinese', () => {
  it('names the dataset as the form does', () => {
    const card = evaluationCard(
      run({ dataset: { id: 'synthetic', trainSize: 128, testSize: 64 } }),
      'knn_top1',
      {
        value: 0.3,
      },
    );
    expect(lines(card).dataset).toBe('Synthetic shapes');
    i18n.global.locale.value = 'zh';
    expect(lines(card).dataset).toBe('合成图形');
  });
});
