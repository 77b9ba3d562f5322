import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { Run, Settings } from '../../src-main/domain';
import { apiCall, openApp, screenshot } from './helpers';

/**
 * The runs table as a W&B or MLflow user expects it: a column picker over every config field and
 * metric, filters as chips (a malformed one refused in one line), sorting by any column, grouping by
 * method, dataset or tag, saved views kept in the settings, and the step at which a stopped run's values
 * were taken (never its random-init kNN).
 */
test.describe.configure({ mode: 'serial' });

/** Four tiny runs on synthetic images: two finished (SimCLR with its probe, BYOL), two stopped. */
let probed = 0;
let byol = 0;
let stoppedLate = 0;
let stoppedEarly = 0;

const tiny = { width: 4, projectionHiddenDim: 32, projectionDim: 16 };

async function create(
  request: APIRequestContext,
  method: string,
  name: string,
  tags: string[],
  trainSize: number,
  config: Record<string, unknown>,
): Promise<number> {
  const run = (await apiCall(request, 'createRun', [
    {
      method,
      name,
      tags,
      dataset: { id: 'synthetic', trainSize, testSize: 64 },
      config: { ...tiny, ...config },
    },
  ])) as Run;
  return run.id;
}

async function getRun(request: APIRequestContext, id: number): Promise<Run> {
  return (await apiCall(request, 'getRun', [id])) as Run;
}

/** Stops a run once `ready` holds for it (polled), and waits until it has stopped. */
async function stopWhen(request: APIRequestContext, id: number, ready: (r: Run) => boolean): Promise<Run> {
  await expect
    .poll(async () => ready(await getRun(request, id)), { timeout: 120_000, intervals: [100] })
    .toBe(true);
  await apiCall(request, 'stopRun', [id]);
  await expect.poll(async () => (await getRun(request, id)).status, { timeout: 60_000 }).toBe('stopped');
  return getRun(request, id);
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  // One at a time (the engine's one local slot), in this order.
  // Stopped in its first epoch (128 steps of 16, 256 planned): its only kNN is the random initialisation's.
  stoppedEarly = await create(request, 'simclr', 'rt stopped in epoch 1', ['rt', 'stopped'], 2048, {
    epochs: 2,
    batchSize: 16,
    lr: 0.5,
    linearProbe: false,
  });
  // Stopped after its first epoch's kNN (8 steps an epoch, 30 epochs planned: 240 steps).
  stoppedLate = await create(request, 'simclr', 'rt stopped after epoch 1', ['rt', 'stopped'], 128, {
    epochs: 30,
    batchSize: 16,
    lr: 0.5,
    linearProbe: false,
  });
  probed = await create(request, 'simclr', 'rt probed', ['rt', 'baseline'], 128, {
    epochs: 1,
    batchSize: 64,
    lr: 0.3,
    temperature: 0.2,
  });
  byol = await create(request, 'byol', 'rt byol', ['rt'], 128, {
    epochs: 1,
    batchSize: 64,
    lr: 0.05,
    linearProbe: false,
  });
  const early = await stopWhen(request, stoppedEarly, (r) => (r.summarySteps.loss ?? 0) >= 1);
  expect(early.summarySteps.knn_top1).toBe(0);
  const late = await stopWhen(request, stoppedLate, (r) => (r.summarySteps.knn_top1 ?? 0) >= 8);
  expect(late.summarySteps.knn_top1).toBeLessThan(240);
  for (const id of [probed, byol])
    await expect.poll(async () => (await getRun(request, id)).status, { timeout: 120_000 }).toBe('completed');
});

const ours = () => [stoppedEarly, stoppedLate, probed, byol];

/** The ids of our runs in the table's order (other spec files share the database). */
async function shownIds(page: Page): Promise<number[]> {
  const all = await page
    .getByTestId('runs-table')
    .locator('tbody tr[data-run-id]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))));
  return all.filter((id) => ours().includes(id));
}

/** The filter chips shown, as their filters. */
function chips(page: Page): Promise<(string | null)[]> {
  return page.getByTestId('filter-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-filter')));
}

async function openOurRuns(page: Page): Promise<void> {
  await openApp(page, '#/runs');
  for (const id of ours()) await expect(page.getByTestId(`run-row-${id}`)).toBeVisible();
  // Only ours: the tag every one of them has.
  await page.getByTestId('filter-tag').selectOption('rt');
}

test('pick any config field or metric as a column, and sort by it with missing values last', async ({
  page,
}) => {
  await openOurRuns(page);
  await page.getByTestId('columns-open').click();
  const picker = page.getByTestId('column-picker');
  // Metrics by the registry's label, with their key; a method's own config field (BYOL's).
  await expect(picker.getByTestId('column-metric.probe_top1')).toContainText('Linear probe top-1');
  await expect(picker.getByTestId('column-metric.probe_top1')).toContainText('probe_top1');
  await expect(picker.getByTestId('column-config.targetDecay')).toBeVisible();
  await picker.getByTestId('columns-search').fill('probe_top');
  await expect(picker.getByTestId('column-metric.probe_top5')).toBeVisible();
  await expect(picker.getByTestId('column-config.lr')).toHaveCount(0);
  await picker.getByTestId('column-metric.probe_top1').locator('input').check();
  await picker.getByTestId('columns-search').fill('');
  await picker.getByTestId('column-config.temperature').locator('input').check();
  await picker.getByTestId('column-config.backbone').locator('input').uncheck();
  await page.screenshot({ path: path.join(os.tmpdir(), 'runs-table-picker.png') });
  await page.keyboard.press('Escape');
  await expect(picker).toHaveCount(0);

  const header = page.getByTestId('runs-table').locator('thead');
  await expect(header.getByTestId('sort-metric.probe_top1')).toHaveText(/Linear probe top-1/);
  await expect(header.getByTestId('sort-config.temperature')).toBeVisible();
  await expect(header.getByTestId('sort-config.backbone')).toHaveCount(0);
  const run = await getRun(page.request, probed);
  await expect(page.getByTestId(`cell-metric.probe_top1-${probed}`)).toHaveText(
    `${(100 * run.summary.probe_top1!).toFixed(1)}%`,
  );
  // Hovering the value shows how it was measured, as in Compare.
  await page.getByTestId(`card-anchor-probe_top1-${probed}`).hover();
  const card = page.getByTestId('evaluation-card');
  await expect(card).toBeVisible();
  await expect(card.getByTestId('evaluation-card-fit')).toHaveText('the first 128 labelled training images');
  await expect(card.getByTestId('evaluation-card-when')).toContainText(`step ${run.summarySteps.probe_top1}`);
  // Leaving the screen while hovering (a shortcut) takes the card with it.
  await page.keyboard.press('n');
  await expect(page.getByTestId('new-run-screen')).toBeVisible();
  await expect(card).toHaveCount(0);
  await page.goBack();
  await expect(page.getByTestId(`run-row-${probed}`)).toBeVisible();
  await expect(page.getByTestId(`cell-config.temperature-${probed}`)).toHaveText('0.2');
  // BYOL has no temperature.
  await expect(page.getByTestId(`cell-config.temperature-${byol}`)).toHaveText('—');

  // Sorting by the probe: the one probed run first both ways, the rest (no probe) after it.
  await header.getByTestId('sort-metric.probe_top1').locator('button').click();
  await expect(header.getByTestId('sort-metric.probe_top1')).toHaveAttribute('aria-sort', 'descending');
  expect((await shownIds(page))[0]).toBe(probed);
  await header.getByTestId('sort-metric.probe_top1').locator('button').click();
  await expect(header.getByTestId('sort-metric.probe_top1')).toHaveAttribute('aria-sort', 'ascending');
  expect((await shownIds(page))[0]).toBe(probed);
  // By a config field: smallest rate first.
  await header.getByTestId('sort-config.lr').locator('button').click();
  expect(await shownIds(page)).toEqual([byol, probed, stoppedLate, stoppedEarly]);
});

test('filters as chips; a malformed one is one line and changes nothing', async ({ page }) => {
  await openOurRuns(page);
  const input = page.getByTestId('filter-input');
  await input.fill('lr > 0.1');
  await input.press('Enter');
  await expect.poll(() => chips(page)).toEqual(['lr > 0.1']);
  expect((await shownIds(page)).sort()).toEqual([stoppedEarly, stoppedLate, probed].sort());

  await input.fill('knn_top1 >= 0%');
  await input.press('Enter');
  // The run stopped in its first epoch has only its random-init kNN: no result to pass the filter with.
  expect((await shownIds(page)).sort()).toEqual([stoppedLate, probed].sort());

  // Malformed: one line under the input, the chips and the rows as they were.
  await input.fill('lr >');
  await input.press('Enter');
  await expect(page.getByTestId('filter-error')).toHaveText(
    '“lr” has no value after its operator: e.g. lr > 0.1.',
  );
  await input.fill('method > simclr');
  await input.press('Enter');
  await expect(page.getByTestId('filter-error')).toHaveText(
    '“method” is text: compare it with =, != or ~ (contains), not >.',
  );
  await input.fill('lrr > 0.1');
  await input.press('Enter');
  await expect(page.getByTestId('filter-error')).toContainText('No run has a field “lrr”');
  await expect(page.getByTestId('filter-error')).toHaveCount(1);
  await page.screenshot({ path: path.join(os.tmpdir(), 'runs-table-filter-error.png') });
  await expect.poll(() => chips(page)).toEqual(['lr > 0.1', 'knn_top1 >= 0%']);
  await expect(input).toHaveValue('lrr > 0.1');
  expect((await shownIds(page)).sort()).toEqual([stoppedLate, probed].sort());
  // Typing again clears the line.
  await input.fill('tag = baseline');
  await expect(page.getByTestId('filter-error')).toHaveCount(0);
  await input.press('Enter');
  expect(await shownIds(page)).toEqual([probed]);

  // Removing chips brings the runs back.
  await page.getByRole('button', { name: 'Remove filter lr > 0.1' }).click();
  await page.getByRole('button', { name: 'Remove filter knn_top1 >= 0%' }).click();
  expect(await shownIds(page)).toEqual([probed]);
  await page.getByRole('button', { name: 'Remove filter tag = baseline' }).click();
  expect((await shownIds(page)).sort()).toEqual(ours().sort());
});

test('a stopped run’s values say at which step they were taken; its random-init kNN is not its result', async ({
  page,
}) => {
  await openOurRuns(page);
  const late = await getRun(page.request, stoppedLate);
  const knn = page.getByTestId(`cell-metric.knn_top1-${stoppedLate}`);
  await expect(knn).toHaveText(
    `${(100 * late.summary.knn_top1!).toFixed(1)}% · step ${late.summarySteps.knn_top1}/240`,
  );
  await expect(page.getByTestId(`cell-metric.loss-${stoppedLate}`)).toContainText(
    `step ${late.summarySteps.loss}/240`,
  );
  const early = await getRun(page.request, stoppedEarly);
  await expect(page.getByTestId(`cell-metric.knn_top1-${stoppedEarly}`)).toHaveText('—');
  await expect(page.getByTestId(`cell-metric.loss-${stoppedEarly}`)).toContainText(
    `step ${early.summarySteps.loss}/256`,
  );
  // A finished run's values need no step.
  await expect(page.getByTestId(`cell-metric.knn_top1-${probed}`)).not.toContainText('step');

  // In Chinese, in the dark.
  await page.getByTestId('language').selectOption('zh');
  await page.getByTestId('theme-toggle').click();
  await expect(knn).toContainText(`第 ${late.summarySteps.knn_top1}/240 步`);
  await expect(page.getByTestId('columns-open')).toHaveText(/^列（\d+）/);
  await page.getByTestId('group-by').selectOption('method');
  await expect(page.getByTestId('group-header-simclr')).toContainText('方法：simclr');
  await page.getByTestId('filter-input').fill('方法 = simclr');
  await page.getByTestId('filter-input').press('Enter');
  await expect(page.getByTestId('filter-error')).toContainText('没有运行包含字段“方法”');
  await page.screenshot({ path: path.join(os.tmpdir(), 'runs-table-zh-dark.png') });
  await page.getByTestId('theme-toggle').click();
  await page.getByTestId('language').selectOption('en');
});

test('group by method, dataset or tag under headers with counts; seed grouping still folds', async ({
  page,
}) => {
  await openOurRuns(page);
  await page.getByTestId('group-by').selectOption('method');
  const simclr = page.getByTestId('group-header-simclr');
  await expect(simclr).toContainText('Method: simclr');
  await expect(simclr).toContainText('3 runs');
  await expect(page.getByTestId('group-header-byol')).toContainText('1 run');
  // The BYOL header comes first (A to Z), its run under it.
  const order = await page
    .getByTestId('runs-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
  expect(order.indexOf('group-header-byol')).toBeLessThan(order.indexOf(`run-row-${byol}`));
  expect(order.indexOf(`run-row-${byol}`)).toBeLessThan(order.indexOf('group-header-simclr'));
  // Collapsing a header hides its runs.
  await page.getByTestId('group-header-toggle-simclr').click();
  await expect(page.getByTestId(`run-row-${probed}`)).toHaveCount(0);
  await expect(page.getByTestId(`run-row-${byol}`)).toBeVisible();
  await page.getByTestId('group-header-toggle-simclr').click();
  await expect(page.getByTestId(`run-row-${probed}`)).toBeVisible();

  // By tag: a run under each of its tags.
  await page.getByTestId('group-by').selectOption('tag');
  await expect(page.getByTestId('group-header-stopped')).toContainText('2 runs');
  await expect(page.getByTestId('group-header-baseline')).toContainText('1 run');
  await expect(page.getByTestId(`run-row-${probed}`)).toHaveCount(2);

  // Seed grouping inside the groups: none of ours differ only in their seed.
  await page.getByTestId('group-by').selectOption('dataset');
  await expect(page.getByTestId('group-header-synthetic')).toContainText('4 runs');
  await page.getByTestId('group-seeds').check();
  await expect(page.getByTestId('runs-groups')).toHaveText('no seed groups');
  for (const id of ours()) await expect(page.getByTestId(`run-row-${id}`)).toBeVisible();
});

test('save a view (columns, filters, sort, grouping), apply it after a reload, delete it', async ({
  page,
}) => {
  await openOurRuns(page);
  await page.getByTestId('columns-open').click();
  const picker = page.getByTestId('column-picker');
  await picker.getByTestId('column-metric.probe_top1').locator('input').check();
  // Fewer run columns, so the table (and its screenshot) fits the window.
  await picker.getByTestId('column-config.backbone').locator('input').uncheck();
  await picker.getByTestId('column-dataset').locator('input').uncheck();
  await page.keyboard.press('Escape');
  await page.getByTestId('filter-input').fill('knn_top1 > 0');
  await page.getByTestId('filter-input').press('Enter');
  await page.getByTestId('group-by').selectOption('method');
  await page.getByTestId('sort-metric.knn_top1').locator('button').click();

  // A name is required: one line, nothing saved.
  await page.getByTestId('view-save-open').click();
  await page.getByTestId('view-name').fill('  ');
  await page.getByTestId('view-save').click();
  await expect(page.getByTestId('view-error')).toHaveText('Give the view a name.');
  await page.getByTestId('view-name').fill('rt knn by method');
  await page.getByTestId('view-save').click();
  await expect(page.getByTestId('view-select')).toHaveValue('rt knn by method');
  // The quick tag filter went into the view as a chip.
  await expect.poll(() => chips(page)).toEqual(['knn_top1 > 0', 'tag = rt']);
  await expect(page.getByTestId('filter-tag')).toHaveValue('');

  // Kept in the engine's settings.
  const settings = (await apiCall(page.request, 'getSettings')) as Settings;
  expect(settings.runViews.find((v) => v.name === 'rt knn by method')).toEqual({
    name: 'rt knn by method',
    columns: expect.arrayContaining(['metric.probe_top1', 'metric.knn_top1']) as unknown,
    filters: ['knn_top1 > 0', 'tag = rt'],
    sort: { column: 'metric.knn_top1', descending: true },
    groupBy: 'method',
    groupSeeds: false,
  });
  await screenshot(page, 'runs-table.png');

  // Back to the default view, then the saved one again, after a reload.
  await page.getByTestId('view-select').selectOption('');
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  await expect(page.getByTestId('sort-metric.probe_top1')).toHaveCount(0);
  await page.reload();
  await page.getByTestId('view-select').selectOption('rt knn by method');
  await expect(page.getByTestId('filter-chip')).toHaveCount(2);
  await expect(page.getByTestId('group-header-simclr')).toContainText('2 runs');
  await expect(page.getByTestId('sort-metric.knn_top1')).toHaveAttribute('aria-sort', 'descending');
  expect((await shownIds(page)).sort()).toEqual([byol, stoppedLate, probed].sort());
  // A change marks the view as changed.
  await page.getByTestId('group-by').selectOption('none');
  await expect(page.getByTestId('view-changed')).toBeVisible();

  await page.getByTestId('view-delete').click();
  await expect(page.getByTestId('view-select')).toHaveValue('');
  await expect(
    page.getByTestId('view-select').locator('option', { hasText: 'rt knn by method' }),
  ).toHaveCount(0);
  expect(((await apiCall(page.request, 'getSettings')) as Settings).runViews).toEqual(
    settings.runViews.filter((v) => v.name !== 'rt knn by method'),
  );
});
