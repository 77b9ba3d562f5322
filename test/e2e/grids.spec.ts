import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiCall, openApp, readCsvDownload, screenshot, setField } from './helpers';

/**
 * The run form's augmentation preview, a 2×2 grid of runs created from its form and filled in as a
 * heatmap while the runs finish, the comparison's diagnostic metrics, and a grid over the share of the
 * labels whose cells fill as its run's fine-tunes complete.
 */
test.describe.configure({ mode: 'serial' });

let gridRuns: number[] = [];

/** The data URLs of a set of preview images. */
const sources = (images: Locator) => images.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src));

async function previewReady(page: Page): Promise<void> {
  await expect(page.getByTestId('aug-preview')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

test('the augmentation preview draws the views and re-draws as the form changes', async ({ page }) => {
  await openApp(page, '#/new');
  await page.getByTestId('method-simclr').click();
  await page.getByTestId('run-dataset').selectOption('synthetic');
  const preview = page.getByTestId('aug-preview');
  await preview.scrollIntoViewIfNeeded();
  await previewReady(page);

  // Six images, each with SimCLR's two global views, as PNG data URLs of real pixels.
  const originals = preview.getByTestId('aug-original');
  const views = preview.getByTestId('aug-view');
  await expect(originals).toHaveCount(6);
  await expect(views).toHaveCount(12);
  await expect(preview).toContainText('Global view 2');
  const before = await sources(views);
  const firstOriginals = await sources(originals);
  for (const src of [...before, ...firstOriginals]) expect(src).toMatch(/^data:image\/png;base64,/);
  expect(await originals.first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(32);
  // The two views of an image are different draws.
  expect(before[0]).not.toBe(before[1]);

  // A stronger colour jitter: same images (same seed), new views.
  await setField(page, 'jitterStrength', '1.5');
  await expect.poll(() => sources(views), { timeout: 30_000 }).not.toEqual(before);
  await previewReady(page);
  expect(await sources(originals)).toEqual(firstOriginals);
  const jittered = await sources(views);
  expect(jittered.filter((src, i) => src !== before[i]).length).toBeGreaterThan(6);
  await preview.scrollIntoViewIfNeeded();
  await screenshot(page, 'augmentation-preview.png');

  // Shuffle: other images.
  await page.getByTestId('aug-preview-shuffle').click();
  await expect.poll(() => sources(originals), { timeout: 30_000 }).not.toEqual(firstOriginals);

  // An invalid setting: an inline error instead of images; fixing it brings them back.
  await setField(page, 'cropMinScale', '0');
  const error = page.getByTestId('aug-preview-error');
  await expect(error).toContainText('Min. crop scale');
  await expect(preview).toHaveAttribute('data-state', 'error');
  await expect(views).toHaveCount(0);
  await setField(page, 'cropMinScale', '0.2');
  await expect(error).toHaveCount(0);
  await previewReady(page);
  await expect(views).toHaveCount(12);

  // A multi-crop method shows its local crops too, smaller than the global views.
  await page.getByTestId('method-dino').click();
  await expect(preview).toContainText('Local crop 1', { timeout: 30_000 });
  await previewReady(page);
  const dinoViews = await views.count();
  expect(dinoViews).toBeGreaterThan(12);
  expect(dinoViews % 6).toBe(0);
  const widths = await views.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth));
  expect(Math.min(...widths)).toBeLessThan(Math.max(...widths));
});

test('create a 2×2 grid from its form and watch the heatmap fill in', async ({ page, request }) => {
  await openApp(page, '#/grids');
  const form = page.getByTestId('grid-form');
  // No grid yet: the form is open, SimCLR with its crop × colour ablation filled in.
  await expect(form).toBeVisible();
  await expect(page.getByTestId('grid-method')).toHaveValue('simclr');
  await expect(page.getByTestId('grid-rows-field')).toHaveValue('cropMinScale');
  await expect(page.getByTestId('grid-cols-field')).toHaveValue('jitterProb');
  await expect(page.getByTestId('grid-metric')).toHaveValue('probe_top1');
  await page.getByTestId('grid-dataset').selectOption('synthetic');
  await page.getByTestId('grid-trainsize').fill('256');
  await page.getByTestId('grid-testsize').fill('128');
  await page.getByTestId('grid-name').fill('e2e crop × colour');
  for (const [k, v] of Object.entries({ epochs: '1', width: '4', batchSize: '64' }))
    await setField(page, k, v);

  // Bad values are flagged inline and block the form.
  const submit = page.getByTestId('grid-submit');
  await page.getByTestId('grid-rows-values').fill('0.08, 2');
  await expect(page.getByTestId('grid-rows-error')).toHaveText('“2”: Must be at most 1');
  await expect(submit).toBeDisabled();
  await page.getByTestId('grid-rows-values').fill('0.08, 0.08');
  await expect(page.getByTestId('grid-rows-error')).toHaveText('“0.08” is listed twice');
  await page.getByTestId('grid-rows-values').fill('0.08, 1');
  await page.getByTestId('grid-cols-field').selectOption('cropMinScale');
  await expect(page.getByTestId('grid-cols-error')).toHaveText('Pick a different setting from the rows');
  await expect(submit).toBeDisabled();
  await page.getByTestId('grid-cols-field').selectOption('jitterProb');
  await expect(page.getByTestId('grid-cols-values')).toHaveValue('0, 0.8');
  // The probe metric needs the end-of-run linear probe.
  await page.getByTestId('grid-more').click();
  const probe = page.getByTestId('field-linearProbe').locator('input[type="checkbox"]');
  await probe.uncheck();
  await expect(page.getByTestId('grid-metric-error')).toContainText('is off in the base configuration');
  await expect(submit).toBeDisabled();
  await page.getByTestId('grid-metric').selectOption('knn_top1');
  await expect(page.getByTestId('grid-metric-error')).toHaveCount(0);
  await probe.check();
  await page.getByTestId('grid-metric').selectOption('probe_top1');
  await page.getByTestId('grid-more').click();
  await expect(page.getByTestId('grid-summary')).toHaveText('2 × 2 = 4 runs, queued and run a few at a time');
  await expect(submit).toHaveText('Queue 4 runs');
  await expect(submit).toBeEnabled();
  await screenshot(page, 'grid-form.png', 1100);

  const runsBefore = ((await apiCall(request, 'listRuns')) as unknown[]).length;
  await submit.click();
  const card = page.locator('[data-testid^="grid-card-"]', { hasText: 'e2e crop × colour' });
  await expect(card).toBeVisible();
  await expect(form).toHaveCount(0);
  const gridId = Number((await card.getAttribute('data-testid'))!.replace('grid-card-', ''));
  const grid = (await apiCall(request, 'getGrid', [gridId])) as {
    rows: { field: string; values: unknown[] };
    cols: { field: string; values: unknown[] };
    seeds: number[];
    executor: string;
    metric: string;
    runIds: number[][][];
  };
  expect(grid.rows).toEqual({ field: 'cropMinScale', values: [0.08, 1] });
  expect(grid.cols).toEqual({ field: 'jitterProb', values: [0, 0.8] });
  expect(grid.metric).toBe('probe_top1');
  // One seed per cell, on this machine: a run per cell.
  expect(grid.seeds).toHaveLength(1);
  expect(grid.executor).toBe('local');
  expect(grid.runIds.flat().every((seeds) => seeds.length === 1)).toBe(true);
  gridRuns = grid.runIds.flat(2);
  expect(gridRuns).toHaveLength(4);
  expect(((await apiCall(request, 'listRuns')) as unknown[]).length).toBe(runsBefore + 4);

  // Every run got its cell's settings and the shared ones.
  for (const [r, row] of grid.runIds.entries()) {
    for (const [c, [id]] of row.entries()) {
      const run = (await apiCall(request, 'getRun', [id])) as {
        config: Record<string, unknown>;
        dataset: Record<string, unknown>;
      };
      expect(run.config).toMatchObject({
        cropMinScale: grid.rows.values[r],
        jitterProb: grid.cols.values[c],
        epochs: 1,
        width: 4,
        batchSize: 64,
      });
      expect(run.dataset).toMatchObject({ id: 'synthetic', trainSize: 256, testSize: 128 });
    }
  }

  // The heatmap: four cells, filled as the runs finish; the rest show their status meanwhile.
  const heatmap = page.getByTestId(`heatmap-${gridId}`);
  await expect(heatmap).toHaveAttribute('data-cells', '4');
  const runsTable = page.getByTestId(`grid-runs-${gridId}`);
  await expect(runsTable.locator('tr[data-status="queued"]').first()).toBeVisible();
  await expect(runsTable.locator('tr[data-status="running"]').first()).toBeVisible({ timeout: 60_000 });
  await expect(runsTable.locator('tr[data-status="running"]').first()).toContainText(/running\s*\d+%/, {
    timeout: 60_000,
  });
  await screenshot(page, 'grid-heatmap-running.png');
  const filled = async () => Number(await heatmap.getAttribute('data-filled'));
  await expect.poll(filled, { timeout: 240_000 }).toBeGreaterThan(0);
  await expect.poll(filled, { timeout: 240_000 }).toBe(4);
  await expect(page.getByTestId(`grid-progress-${gridId}`)).toHaveText('4 of 4 finished');

  // Each cell holds its run's final linear-probe accuracy, as the runs table beside it lists it.
  for (const [r, row] of grid.runIds.entries()) {
    for (const [c, [id]] of row.entries()) {
      const cell = page.getByTestId(`grid-cell-${gridId}-${r}-${c}`);
      await expect(cell).toHaveAttribute('data-status', 'completed');
      await expect(cell).toContainText(/\d+(\.\d)?%/);
      const run = (await apiCall(request, 'getRun', [id])) as { summary: Record<string, number> };
      const probe = run.summary.probe_top1!;
      expect(probe).toBeGreaterThanOrEqual(0);
      expect(probe).toBeLessThanOrEqual(1);
      expect(Number(await cell.getAttribute('data-value'))).toBeCloseTo(probe, 10);
      await expect(cell).toContainText(`${(probe * 100).toFixed(1)}%`);
      // One seed: the value alone, no ± std or n.
      await expect(cell).not.toContainText('±');
      await expect(page.getByTestId(`grid-run-${id}`)).toHaveAttribute('data-status', 'completed');
    }
  }
  await heatmap.scrollIntoViewIfNeeded();
  await screenshot(page, 'grid-heatmap.png');

  // The same in Chinese.
  await page.getByTestId('language').selectOption('zh');
  await expect(page.getByTestId('tab-grids')).toHaveText('网格实验');
  await expect(page.getByTestId(`grid-progress-${gridId}`)).toHaveText('已完成 4 / 4');
  await page.getByTestId('language').selectOption('en');

  // Clicking a cell opens its run.
  const centres = JSON.parse((await heatmap.getAttribute('data-centres'))!) as {
    r: number;
    c: number;
    x: number;
    y: number;
  }[];
  const target = centres.find((p) => p.r === 1 && p.c === 0)!;
  await heatmap.locator('.heatmap-canvas').click({ position: { x: target.x, y: target.y } });
  await expect(page).toHaveURL(new RegExp(`#/live/${grid.runIds[1]![0]![0]}$`));
});

test('compare two runs of the grid: the diagnostics as rows and curves, histograms as CSV', async ({
  page,
}) => {
  expect(gridRuns).toHaveLength(4);
  const [a, b] = gridRuns;
  await openApp(page, `#/compare/${a},${b}`);
  const finals = page.getByTestId('compare-finals');
  await expect(finals).toBeVisible();
  for (const [key, label] of [
    ['probe_top1', /linear probe/i],
    ['align', /align/i],
    ['uniform', /uniform/i],
    ['embedding_std', /std/i],
    ['effective_rank', /rank/i],
    ['pos_sim_mean', /positive/i],
    ['neg_sim_mean', /negative/i],
  ] as const) {
    const row = page.getByTestId(`final-row-${key}`);
    await expect(row).toBeVisible();
    await expect(row.locator('th')).toHaveText(label);
    // A value for each run, not a dash.
    await expect(row.locator('td')).toHaveCount(2);
    for (const text of await row.locator('td').allTextContents()) expect(text.trim()).toMatch(/\d/);
  }
  await expect(page.getByTestId('final-row-probe_top1').locator('td').first()).toContainText('%');

  // Curves: one chart per metric, each one can be hidden and shown again.
  const align = page.getByTestId('chart-align');
  await expect(align).toBeVisible();
  await expect.poll(async () => Number(await align.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
  // The dimensions are constants: their curves start hidden.
  await expect(page.getByTestId('chart-embedding_dim')).toHaveCount(0);
  await expect(page.getByTestId('chart-representation_dim')).toHaveCount(0);
  await page.getByTestId('curve-toggle-align').click();
  await expect(align).toHaveCount(0);
  await page.getByTestId('curve-toggle-align').click();
  await expect(page.getByTestId('chart-align')).toBeVisible();
  await page.getByTestId('curve-picker').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-diagnostics.png', 1250);

  // The similarity histograms of both runs, as CSV.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('compare-export-histograms').click(),
  ]);
  const rows = await readCsvDownload(download);
  expect(rows.length).toBeGreaterThan(0);
  const runIds = new Set(rows.map((r) => Number(r.run_id)));
  expect([...runIds].sort((x, y) => x - y)).toEqual([a!, b!].sort((x, y) => x - y));
});

test('a grid over the share of the labels: one run, its cells filled by a fine-tune at each share', async ({
  page,
  request,
}) => {
  await openApp(page, '#/grids');
  const form = page.getByTestId('grid-form');
  if (!(await form.isVisible())) await page.getByTestId('grid-new').click();
  await page.getByTestId('grid-dataset').selectOption('synthetic');
  await page.getByTestId('grid-trainsize').fill('128');
  await page.getByTestId('grid-testsize').fill('64');
  await page.getByTestId('grid-name').fill('e2e label shares');
  for (const [k, v] of Object.entries({ epochs: '1', width: '4', batchSize: '64' }))
    await setField(page, k, v);
  await page.getByTestId('grid-two-axes').uncheck();
  await page.getByTestId('grid-rows-field').selectOption('labelPercent');
  // The papers' shares to start with, and the fine-tune's accuracy as the only metrics.
  await expect(page.getByTestId('grid-rows-values')).toHaveValue('1, 10, 100');
  await expect(page.getByTestId('grid-metric')).toHaveValue('finetune_top1');
  await expect(page.getByTestId('grid-metric').locator('option')).toHaveText([
    'Fine-tune top-1',
    'Fine-tune top-5',
  ]);
  await page.getByTestId('grid-rows-values').fill('50, 150');
  await expect(page.getByTestId('grid-rows-error')).toHaveText('“150”: Must be at most 100');
  await page.getByTestId('grid-rows-values').fill('50, 100');
  await page.getByTestId('grid-finetune-epochs').fill('0');
  await expect(page.getByTestId('grid-finetune-epochs-error')).toBeVisible();
  await page.getByTestId('grid-finetune-epochs').fill('1');
  // Two cells, one run: the cells share it.
  await expect(page.getByTestId('grid-summary')).toContainText('2 values = 1 run, queued');
  await expect(page.getByTestId('grid-summary')).toContainText('fine-tuned at every share of the labels');
  await screenshot(page, 'grid-form-labels.png', 1100);
  await page.getByTestId('grid-submit').click();

  const card = page.locator('[data-testid^="grid-card-"]', { hasText: 'e2e label shares' });
  await expect(card).toBeVisible();
  const gridId = Number((await card.getAttribute('data-testid'))!.replace('grid-card-', ''));
  const grid = (await apiCall(request, 'getGrid', [gridId])) as {
    rows: { field: string; values: number[] };
    metric: string;
    fineTuneEpochs: number;
    runIds: number[][][];
  };
  expect(grid).toMatchObject({
    rows: { field: 'labelPercent', values: [50, 100] },
    metric: 'finetune_top1',
    fineTuneEpochs: 1,
  });
  const runId = grid.runIds[0]![0]![0]!;
  expect(grid.runIds).toEqual([[[runId]], [[runId]]]);
  const heatmap = page.getByTestId(`heatmap-${gridId}`);
  await expect(heatmap).toHaveAttribute('data-cells', '2');
  await expect(page.getByTestId(`grid-progress-${gridId}`)).toHaveText(/of 1 finished/);
  await expect
    .poll(async () => Number(await heatmap.getAttribute('data-filled')), { timeout: 120_000 })
    .toBe(2);
  // Each cell: the run's fine-tune at the cell's share.
  const run = (await apiCall(request, 'getRun', [runId])) as { summary: Record<string, number> };
  for (const [r, key] of ['finetune_top1_50pct', 'finetune_top1_100pct'].entries()) {
    const cell = page.getByTestId(`grid-cell-${gridId}-${r}-0`);
    expect(Number(await cell.getAttribute('data-value'))).toBeCloseTo(run.summary[key]!, 10);
    await expect(cell).toContainText(`${(run.summary[key]! * 100).toFixed(1)}%`);
  }
  await heatmap.scrollIntoViewIfNeeded();
  await screenshot(page, 'grid-heatmap-labels.png');
});
