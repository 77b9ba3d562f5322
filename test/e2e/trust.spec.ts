import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { Run } from '../../src-main/domain';
import { apiCall, openApp, root, screenshot } from './helpers';

/**
 * Numbers a researcher can trust: each number's evaluation card on hover, Compare's warning where two
 * numbers side by side were measured differently and its "best" only among those measured alike, the
 * method × dataset summary of the best comparable result, and published references beside a run's result.
 */
test.describe.configure({ mode: 'serial' });

const cifarDir = path.join(root, '../shared/data/cifar10-subset/cifar-10-batches-bin');
/** Screenshots for looking at, not for the README. */
const lookDir = path.join(os.tmpdir(), 'contrastlab-trust');

/** Four tiny finished runs: one epoch of two steps on 128 images. */
let simsiamA = 0;
let byolK10 = 0;
let simsiamC = 0;
let cifar = 0;

async function create(
  request: APIRequestContext,
  name: string,
  method: string,
  config: Record<string, unknown>,
  dataset: Record<string, unknown> = { id: 'synthetic', trainSize: 128, testSize: 64 },
): Promise<number> {
  const run = (await apiCall(request, 'createRun', [
    {
      method,
      name,
      tags: ['e2e', 'trust'],
      dataset,
      config: { epochs: 1, batchSize: 64, width: 4, ...config },
    },
  ])) as Run;
  return run.id;
}

async function finished(request: APIRequestContext, ids: number[]): Promise<Run[]> {
  const runs: Run[] = [];
  for (const id of ids) {
    await expect
      .poll(async () => ((await apiCall(request, 'getRun', [id])) as Run).status, { timeout: 180_000 })
      .toBe('completed');
    runs.push((await apiCall(request, 'getRun', [id])) as Run);
  }
  return runs;
}

/** Hovers a number and returns its evaluation card. */
async function hoverCard(page: Page, testId: string) {
  const anchor = page.getByTestId(testId);
  await anchor.scrollIntoViewIfNeeded();
  await anchor.hover();
  const card = page.getByTestId('evaluation-card');
  await expect(card).toBeVisible();
  return card;
}

let byId = new Map<number, Run>();

test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  // Two SimSiam runs measured alike (kNN k = 200, the default), a BYOL run whose kNN used k = 10, and a
  // SimCLR run on CIFAR-10, which has published references.
  simsiamA = await create(request, 'trust simsiam', 'simsiam', { projectionDim: 64 });
  // The probe is only looked at on the first SimSiam run and the CIFAR-10 one: the others skip it.
  byolK10 = await create(request, 'trust byol k=10', 'byol', {
    knnK: 10,
    linearProbe: false,
    projectionHiddenDim: 64,
    projectionDim: 32,
  });
  simsiamC = await create(request, 'trust simsiam wider', 'simsiam', {
    projectionDim: 64,
    width: 6,
    linearProbe: false,
  });
  cifar = await create(
    request,
    'trust cifar',
    'simclr',
    { projectionHiddenDim: 64 },
    { id: 'cifar10', dataDir: cifarDir, trainSize: 128, testSize: 64 },
  );
  const runs = await finished(request, [simsiamA, byolK10, simsiamC, cifar]);
  byId = new Map(runs.map((r) => [r.id, r]));
});

test('Compare: evaluation cards on hover, a warning where numbers were measured differently, best only among runs measured alike', async ({
  page,
}) => {
  await openApp(page, `#/compare/${simsiamA},${byolK10},${simsiamC}`);
  const knn = page.getByTestId('final-row-knn_top1');
  await expect(knn).toBeVisible();
  // Two ways of measuring kNN among the three: the row says so.
  await expect(knn).toHaveAttribute('data-ways', '2');
  await expect(knn.getByTestId('final-row-warning')).toBeVisible();

  // The BYOL run's kNN used k = 10: its cell carries the reason, in words.
  const byolCell = page.getByTestId(`final-cell-knn_top1-${byolK10}`);
  await expect(byolCell.getByTestId('incomparable')).toHaveAttribute(
    'aria-label',
    `Measured differently from #${simsiamA}: kNN k = 200 vs 10.`,
  );
  await expect(page.getByTestId(`final-cell-knn_top1-${simsiamA}`).getByTestId('incomparable')).toHaveCount(
    0,
  );

  // Best only between the two runs measured alike, whatever the BYOL run's value.
  const a = byId.get(simsiamA)!.summary.knn_top1!;
  const c = byId.get(simsiamC)!.summary.knn_top1!;
  await expect(byolCell).toHaveAttribute('data-best', 'false');
  await expect(page.getByTestId(`final-cell-knn_top1-${simsiamA}`)).toHaveAttribute(
    'data-best',
    String(a >= c),
  );
  await expect(page.getByTestId(`final-cell-knn_top1-${simsiamC}`)).toHaveAttribute(
    'data-best',
    String(c >= a),
  );

  // A loss is never compared across methods: BYOL's loss is flagged, the best is among the SimSiam runs.
  const lossCell = page.getByTestId(`final-cell-loss-${byolK10}`);
  await expect(lossCell.getByTestId('incomparable')).toHaveAttribute(
    'aria-label',
    `Measured differently from #${simsiamA}: method simsiam vs byol.`,
  );
  await expect(lossCell).toHaveAttribute('data-best', 'false');

  // The card of the probe: its recipe, its features, its images, when it was taken.
  const probe = await hoverCard(page, `card-anchor-probe_top1-${simsiamA}`);
  await expect(probe).toContainText('Linear probe on frozen features');
  await expect(probe.getByTestId('evaluation-card-probe')).toHaveText(
    'logistic regression, full-batch Adam, 300 steps, lr 0.05 (cosine), weight decay 0.0001',
  );
  await expect(probe.getByTestId('evaluation-card-features')).toContainText('backbone output');
  await expect(probe.getByTestId('evaluation-card-fit')).toHaveText('the first 128 labelled training images');
  await expect(probe.getByTestId('evaluation-card-when')).toHaveText('step 2 · epoch 1');

  // The card of the kNN the warning is about.
  const card = await hoverCard(page, `card-anchor-knn_top1-${byolK10}`);
  await expect(card.getByTestId('evaluation-card-knn')).toHaveText('k = 10 neighbours, τ = 0.1');
  await expect(card.getByTestId('evaluation-card-tested')).toHaveText('64');
  await screenshot(page, 'compare-trust.png');
  // Leaving the number closes its card.
  await page.getByTestId('compare-finals').locator('thead').hover();
  await expect(page.getByTestId('evaluation-card')).toHaveCount(0);

  // In Chinese, in the dark theme.
  await page.getByTestId('language').selectOption('zh');
  await page.getByTestId('theme-toggle').click();
  const zh = await hoverCard(page, `card-anchor-knn_top1-${simsiamA}`);
  await expect(zh).toContainText('冻结特征上的加权 kNN');
  await expect(zh.getByTestId('evaluation-card-knn')).toHaveText('k = 200 个近邻，τ = 0.1');
  await expect(byolCell.getByTestId('incomparable')).toHaveAttribute(
    'aria-label',
    `与 #${simsiamA} 的测量方式不同：kNN k = 200 与 10。`,
  );
  fs.mkdirSync(lookDir, { recursive: true });
  await page.screenshot({ path: path.join(lookDir, 'compare-zh-dark.png') });
});

test('the summary table: the best comparable result per method and dataset, the run it comes from', async ({
  page,
}) => {
  await openApp(page, '#/runs');
  // The summary follows the table's filters: this spec's runs only, whatever other specs trained.
  await page.getByTestId('runs-search').fill('trust');
  await page.getByTestId('summary-toggle').click();
  const table = page.getByTestId('summary-table');
  await expect(table).toBeVisible();
  // SimSiam on the synthetic shapes: the better of the two runs measured alike.
  const a = byId.get(simsiamA)!.summary.knn_top1!;
  const c = byId.get(simsiamC)!.summary.knn_top1!;
  const bestSimsiam = a >= c ? simsiamA : simsiamC;
  const simsiam = page.getByTestId('summary-cell-simsiam-synthetic');
  await expect(simsiam.getByTestId('summary-open-simsiam-synthetic')).toHaveText(`#${bestSimsiam}`);
  await expect(simsiam).toContainText('n = 2');
  await expect(simsiam.getByTestId('summary-incomparable')).toHaveCount(0);
  // BYOL's only run measured kNN with k = 10: shown, flagged, never the column's best.
  const byol = page.getByTestId('summary-cell-byol-synthetic');
  await expect(byol.getByTestId('summary-incomparable')).toHaveAttribute(
    'aria-label',
    'No run here was measured like the rest of the column: kNN k = 200 vs 10',
  );
  await expect(byol).toHaveAttribute('data-best', 'false');
  // Its card on hover.
  const card = await hoverCard(page, 'summary-card-simsiam-synthetic');
  await expect(card.getByTestId('evaluation-card-knn')).toHaveText('k = 200 neighbours, τ = 0.1');
  await page.getByTestId('summary-table').locator('thead').hover();

  // Another metric: the linear probe.
  await page.getByTestId('summary-metric').selectOption('probe_top1');
  await expect(page.getByTestId('summary-cell-simclr-cifar10')).toContainText('n = 1');
  await page.getByTestId('summary-metric').selectOption('knn_top1');
  await table.scrollIntoViewIfNeeded();
  await screenshot(page, 'summary-table.png');

  // A click opens the run.
  await simsiam.getByTestId('summary-open-simsiam-synthetic').click();
  await expect(page).toHaveURL(new RegExp(`#/live/${bestSimsiam}$`));
});

test('the run view: its results with their cards, published references with the differences spelled out', async ({
  page,
}) => {
  await openApp(page, `#/live/${cifar}`);
  const results = page.getByTestId('run-results');
  await expect(results.getByTestId('run-result-knn_top1')).toBeVisible();
  await expect(results.getByTestId('run-result-probe_top1')).toBeVisible();
  const card = await hoverCard(page, 'run-result-card-knn_top1');
  await expect(card.getByTestId('evaluation-card-dataset')).toHaveText('CIFAR-10');
  await expect(card.getByTestId('evaluation-card-trained')).toHaveText('128');

  const references = page.getByTestId('published-references');
  await expect(references).toBeVisible();
  // lightly's kNN at 200 epochs and batch 128, beside this run's kNN: every difference named.
  const lightly = references.locator('[data-reference="lightly/cifar10/simclr/200ep-b128"]');
  const differences = lightly.getByTestId('published-reference-differences');
  await expect(differences).toContainText('200 epochs vs this run’s 1');
  await expect(differences).toContainText('batch 128 vs this run’s 64');
  await expect(differences).toContainText('full CIFAR-10 (50,000 images) vs 128');
  await expect(differences).toContainText('ResNet-18 vs this run’s convnet');
  await expect(lightly.getByTestId('published-reference-value')).toHaveText('84.7%');
  // solo-learn's online linear classifier, beside this run's offline probe.
  const solo = references.locator('[data-reference="solo-learn/cifar10/simclr/1000ep"]');
  await expect(solo.getByTestId('published-reference-differences')).toContainText(
    'online linear vs an offline probe',
  );
  await references.scrollIntoViewIfNeeded();
  fs.mkdirSync(lookDir, { recursive: true });
  await page.screenshot({ path: path.join(lookDir, 'run-references.png') });

  // In Compare, beside each run that has references.
  await openApp(page, `#/compare/${cifar},${simsiamA}`);
  await expect(page.getByTestId('published-references')).toHaveCount(1);
  await expect(page.getByTestId('published-references')).toContainText(`#${cifar} trust cifar`);
});
