import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type {
  Checkpoint,
  EmbeddingSnapshot,
  MetricPoint,
  RetrievalResult,
  Run,
  SimilarityHistogram,
} from '../../src-main/domain';
import { apiCall, chartPoints, openApp, screenshotDir } from './helpers';

/**
 * The evaluation tabs in the run view (diagnostics, embedding map, retrieval, similarity
 * histograms, checkpoints and linear probe jobs) opened on a short finished run, each showing data.
 */
test.describe.configure({ mode: 'serial' });

let runId = 0;

/** Saves a screenshot of the evaluation section (its tabs and the open view) into docs/screenshots. */
async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const section = page.getByTestId('evaluation');
  await section.scrollIntoViewIfNeeded();
  // Let charts resize and finish drawing.
  await page.waitForTimeout(800);
  // With a margin of the page around it, as it looks in the app.
  const box = (await section.boundingBox())!;
  const clip = { x: box.x - 12, y: box.y - 8, width: box.width + 24, height: box.height + 20 };
  await page.screenshot({ path: path.join(screenshotDir, name), clip, fullPage: true });
}

async function openTab(page: Page, tab: string): Promise<void> {
  await openApp(page, `#/live/${runId}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed');
  await page.getByTestId(`eval-tab-${tab}`).click();
  await expect(page.getByTestId(`eval-tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
}

/** Every <img> under `scope` shows a loaded PNG data URL. */
async function expectLoadedImages(scope: Locator, count: number): Promise<void> {
  const images = scope.locator('img');
  await expect(images).toHaveCount(count);
  await expect
    .poll(() =>
      images.evaluateAll((els) =>
        els.every((e) => {
          const img = e as HTMLImageElement;
          return img.src.startsWith('data:image/png;base64,') && img.complete && img.naturalWidth > 0;
        }),
      ),
    )
    .toBe(true);
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(420_000);
  // A short run: 2 epochs of 8 steps on 512 synthetic images, a small ConvNet, and its final linear probe.
  const run = (await apiCall(request, 'createRun', [
    {
      method: 'simclr',
      name: 'e2e evaluation',
      tags: ['e2e', 'evaluation'],
      dataset: { id: 'synthetic', trainSize: 512, testSize: 160 },
      config: { epochs: 2, width: 8, batchSize: 64 },
    },
  ])) as Run;
  runId = run.id;
  await expect
    .poll(async () => ((await apiCall(request, 'getRun', [runId])) as Run).status, { timeout: 360_000 })
    .toBe('completed');
});

test('diagnostics: a chart per diagnostic with a point per epoch, and the latest values', async ({
  page,
}) => {
  await openTab(page, 'diagnostics');
  // Step 0 (the random initialisation) and two epochs.
  for (const id of ['diag-std', 'diag-rank', 'diag-align', 'diag-uniform']) {
    await expect.poll(() => chartPoints(page.getByTestId(id))).toBe(3);
  }
  // Positives and negatives: two lines.
  await expect.poll(() => chartPoints(page.getByTestId('diag-sim'))).toBe(6);
  // The run's final linear probe: top-1 and top-5.
  await expect.poll(() => chartPoints(page.getByTestId('diag-probe'))).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('stat-std')).toContainText(/\d/);
  // The rank is out of the backbone's 64 feature dimensions (8 × width 8), not the projector's 128.
  await expect(page.getByTestId('stat-rank')).toContainText(/\d+(\.\d+)? \/ 64$/);
  await expect(page.getByTestId('stat-probe')).toContainText('%');
  // The diagnostics are not drawn a second time among the other metrics.
  await expect(page.getByTestId('chart-align')).toHaveCount(0);
  await shot(page, 'eval-diagnostics.png');
});

test('embedding map: the test embedding coloured by class, PCA and UMAP, images on hover', async ({
  page,
  request,
}) => {
  const snapshot = (await apiCall(request, 'getEmbedding', [runId])) as EmbeddingSnapshot;
  expect(snapshot.indices.length).toBeGreaterThan(0);
  await openTab(page, 'map');
  const map = page.getByTestId('map-chart');
  await expect(map).toHaveAttribute('data-projection', 'pca');
  await expect.poll(() => chartPoints(map)).toBe(snapshot.indices.length);
  await expect(map).toHaveAttribute('data-epoch', String(snapshot.epoch));

  // Another epoch: the random initialisation.
  await page.getByTestId('map-epoch').selectOption('0');
  await expect(map).toHaveAttribute('data-epoch', '0');
  await expect.poll(() => chartPoints(map)).toBe(snapshot.indices.length);
  await page.getByTestId('map-epoch').selectOption('');
  await expect(map).toHaveAttribute('data-epoch', String(snapshot.epoch));

  // UMAP runs in a worker and replaces the PCA layout.
  await page.getByTestId('map-umap').click();
  await expect(map).toHaveAttribute('data-projection', 'umap', { timeout: 60_000 });
  expect(await chartPoints(map)).toBe(snapshot.indices.length);

  // Hovering a point shows its image and class: sweep the mouse over the plot until one is under it.
  const box = (await map.boundingBox())!;
  const hover = page.locator('.map-hover');
  for (let i = 0; i < 400 && !(await hover.count()); i++) {
    const x = box.x + box.width * (0.05 + (0.9 * ((i * 37) % 101)) / 101);
    const y = box.y + 40 + (box.height - 60) * (0.05 + (0.9 * ((i * 53) % 97)) / 97);
    await page.mouse.move(x, y);
    await page.waitForTimeout(30);
  }
  await expect(hover.first()).toBeVisible();
  await expectLoadedImages(hover.first(), 1);
  const index = Number(await hover.first().getAttribute('data-index'));
  const row = snapshot.indices.indexOf(index);
  expect(row).toBeGreaterThanOrEqual(0);
  await expect(hover.first()).toContainText(snapshot.classNames[snapshot.labels[row]!]!);
  await shot(page, 'eval-map.png');
});

test('retrieval: a query image and its nearest training images, marked by label match', async ({
  page,
  request,
}) => {
  await openTab(page, 'retrieval');
  const neighbours = page.getByTestId('retrieval-neighbours').locator('li');
  await expect(neighbours).toHaveCount(10);
  await expectLoadedImages(page.getByTestId('retrieval-neighbours'), 10);
  await expectLoadedImages(page.getByTestId('retrieval-query'), 1);

  // The marks agree with the engine's answer for this query.
  const query = Number(await page.getByTestId('retrieval-index').inputValue());
  const expected = (await apiCall(request, 'getRetrieval', [runId, query, 10])) as RetrievalResult;
  const marks = await neighbours.evaluateAll((els) => els.map((e) => e.getAttribute('data-match')));
  expect(marks).toEqual(expected.neighbours.map((n) => String(n.match)));
  await expect(neighbours.first()).toContainText(expected.neighbours[0]!.similarity.toFixed(3));

  // Fewer neighbours.
  await page.getByTestId('retrieval-k').selectOption('5');
  await expect(neighbours).toHaveCount(5);

  // The worst queries, as thumbnails; picking one makes it the query.
  const worst = page.getByTestId('retrieval-worst').locator('button');
  await expect.poll(() => worst.count()).toBeGreaterThan(0);
  await expectLoadedImages(page.getByTestId('retrieval-worst'), await worst.count());
  const pick = Number((await worst.first().getAttribute('data-testid'))!.replace('worst-', ''));
  await worst.first().click();
  await expect(page.getByTestId('retrieval-index')).toHaveValue(String(pick));
  await expect(page.getByTestId('retrieval-query')).toContainText(`#${pick}`);
  await expectLoadedImages(page.getByTestId('retrieval-neighbours'), 5);

  // A test image from the strip.
  await page.getByTestId('retrieval-k').selectOption('10');
  await page.getByTestId('retrieval-strip').locator('button').nth(3).click();
  await expect(neighbours).toHaveCount(10);
  await expectLoadedImages(page.getByTestId('retrieval-neighbours'), 10);
  await shot(page, 'eval-retrieval.png');
});

test('similarity histograms: positive and negative bars, an epoch slider', async ({ page, request }) => {
  const histograms = (await apiCall(request, 'getHistograms', [runId])) as SimilarityHistogram[];
  expect(histograms.length).toBeGreaterThan(1);
  await openTab(page, 'similarity');
  const chart = page.getByTestId('similarity-chart');
  const last = histograms.at(-1)!;
  await expect(chart).toHaveAttribute('data-epoch', String(last.epoch));
  const bars = (h: SimilarityHistogram) => [...h.positive, ...h.negative].filter((f) => f > 0).length;
  await expect(chart).toHaveAttribute('data-bars', String(bars(last)));
  expect(bars(last)).toBeGreaterThan(0);
  await expect(page.getByTestId('similarity-means')).toContainText('positives');

  // Back to the first evaluated epoch with the slider.
  await page.getByTestId('similarity-epoch').fill('0');
  await expect(chart).toHaveAttribute('data-epoch', String(histograms[0]!.epoch));
  await expect(chart).toHaveAttribute('data-bars', String(bars(histograms[0]!)));
  await page.getByTestId('similarity-epoch').fill(String(histograms.length - 1));
  await expect(chart).toHaveAttribute('data-epoch', String(last.epoch));
  await page.getByTestId('similarity-epoch').blur();
  await shot(page, 'eval-similarity.png');
});

test('checkpoints: listed with epoch, step and size; a linear probe job runs to a result', async ({
  page,
  request,
}) => {
  const checkpoints = (await apiCall(request, 'listCheckpoints', [runId])) as Checkpoint[];
  expect(checkpoints.length).toBeGreaterThan(0);
  await openTab(page, 'checkpoints');
  const rows = page.getByTestId('checkpoint-list').locator('tbody tr');
  await expect(rows).toHaveCount(checkpoints.length);
  const first = checkpoints[0]!;
  await expect(page.getByTestId(`checkpoint-${first.id}`)).toContainText(/\d+(\.\d+)? (B|KiB|MiB)/);

  // The run's own probe when it finished, as the engine summarises it.
  const own = ((await apiCall(request, 'getRun', [runId])) as Run).summary;
  const percent = (v: number | undefined) => `${(100 * v!).toFixed(1)}%`;
  const finalProbe = page.getByTestId('final-probe');
  await expect(finalProbe).toContainText(
    `top-1 ${percent(own.probe_top1)}, top-5 ${percent(own.probe_top5)}`,
  );
  const shown = await finalProbe.textContent();

  // A probe of the random initialisation (step 0): a job with its progress, then top-1 and top-5.
  await page.getByTestId(`probe-${first.id}`).click();
  const job = page.getByTestId('job-list').locator('tbody tr').first();
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });
  const top1 = Number(await job.getAttribute('data-top1'));
  expect(top1).toBeGreaterThan(0);
  expect(top1).toBeLessThanOrEqual(1);
  await expect(job).toContainText('%');
  await expect(job.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  // It is a point at step 0, not the run's result: the run's own probe stays as it was.
  expect(await finalProbe.textContent()).toBe(shown);
  expect(((await apiCall(request, 'getRun', [runId])) as Run).summary.probe_top1).toBe(own.probe_top1);

  // The last checkpoint too: a second job, listed first, beside the run's own probe at the end.
  const last = checkpoints.at(-1)!;
  await page.getByTestId(`probe-${last.id}`).click();
  const jobs = page.getByTestId('job-list').locator('tbody tr');
  await expect(jobs).toHaveCount(2);
  await expect(jobs.first()).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });
  await expect(jobs.first()).toContainText(`Epoch ${last.epoch}`);
  await expect(page.getByTestId('final-probe')).toContainText('%');
  await shot(page, 'eval-checkpoints.png');
});

test('a collapsing run shows a warning above its charts', async ({ page, request }) => {
  // The real run: the banner shows exactly when its last diagnostics cross the thresholds.
  const points = (await apiCall(request, 'getMetrics', [
    [runId],
    ['embedding_std', 'embedding_dim', 'effective_rank'],
  ])) as MetricPoint[];
  const last = (key: string) =>
    points
      .filter((p) => p.key === key)
      .sort((a, b) => a.step - b.step)
      .at(-1)!;
  const ratio = last('embedding_std').value * Math.sqrt(last('embedding_dim').value);
  const collapsing = ratio < 0.2 || last('effective_rank').value < 2;
  await openApp(page, `#/live/${runId}`);
  await expect.poll(() => chartPoints(page.getByTestId('chart-loss'))).toBeGreaterThan(0);
  await expect(page.getByTestId('collapse-warning')).toHaveCount(collapsing ? 1 : 0);

  // The same run as a collapsed one would report it: the last epoch's std almost 0 (rewritten in transit).
  await page.route('**/api/getMetrics', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { result: MetricPoint[] };
    const std = body.result.filter((p) => p.key === 'embedding_std');
    const lastStep = Math.max(...std.map((p) => p.step));
    for (const p of std) if (p.step === lastStep) p.value = 0.001;
    await route.fulfill({ response, json: body });
  });
  await page.reload();
  const banner = page.getByTestId('collapse-warning');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('This run is collapsing');
  await expect(banner).toContainText('healthy 1/√d');
  await page.getByTestId('eval-tab-diagnostics').click();
  await expect(page.getByTestId('stat-std')).toHaveClass(/danger/);
  await page
    .getByTestId('live-screen')
    .locator('.live-header')
    .screenshot({
      path: path.join(screenshotDir, 'eval-collapse-warning.png'),
    });
});

test('the evaluation tabs in Chinese and in the dark theme', async ({ page }) => {
  await openApp(page, `#/live/${runId}`, { locale: 'zh', theme: 'dark' });
  await expect(page.getByTestId('eval-tab-diagnostics')).toHaveText('诊断');
  await page.getByTestId('eval-tab-diagnostics').click();
  await expect.poll(() => chartPoints(page.getByTestId('diag-std'))).toBe(3);
  await expect(page.getByTestId('diag-std')).toContainText('归一化嵌入的标准差');
  await shot(page, 'eval-diagnostics-dark-zh.png');
});
