import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import {
  apiCall,
  chartPoints,
  openApp,
  readCsvDownload,
  root,
  screenshot,
  setField,
  startSimclrRun,
} from './helpers';

/**
 * The workbench in browser mode, one story: a run from the form watched live, a second one stopped,
 * both found in the runs table, compared, and exported as CSV.
 */
test.describe.configure({ mode: 'serial' });

// Small runs: 2000 synthetic images, batch 64 → 31 steps per epoch, width 8 → seconds per epoch on wasm.
const small = { width: '8', batchSize: '64' };
let completedId = 0;
let stoppedId = 0;

test('create a SimCLR run from the form and watch the loss chart grow', async ({ page }) => {
  await openApp(page, '#/new');
  completedId = await startSimclrRun(
    page,
    { name: 'e2e baseline', tags: 'e2e, baseline', fields: { ...small, epochs: '2' } },
    async () => {
      // The form as a user fills it: changed fields are marked, every field shows default, range, unit.
      await expect(page.getByTestId('field-width')).toHaveClass(/changed/);
      await expect(page.getByTestId('dataset-check')).toHaveAttribute('data-state', 'ok');
      await screenshot(page, 'new-run.png', 1000);
    },
  );

  const loss = page.getByTestId('chart-loss');
  await expect.poll(() => chartPoints(loss), { timeout: 180_000 }).toBeGreaterThan(0);
  const first = await chartPoints(loss);
  // While the run trains, the chart gains points (appended from engine events).
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'running');
  await expect.poll(() => chartPoints(loss), { timeout: 60_000 }).toBeGreaterThan(first);
  expect(Number(await loss.getAttribute('data-drawn'))).toBeGreaterThan(0);
  await expect(page.getByTestId('progress')).toContainText('%');
  await expect(page.getByTestId('live-backend')).not.toContainText('…');

  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 300_000,
  });
  // 2 epochs × 31 steps, every one recorded.
  await expect.poll(() => chartPoints(loss)).toBe(62);
  await expect.poll(() => chartPoints(page.getByTestId('chart-knn_top1'))).toBe(3);
  await expect(page.getByTestId('live-log')).toContainText('kNN top-1');
  await expect(page.getByTestId('live-config')).toContainText('Batch size');
});

test('stop a second run while it trains', async ({ page }) => {
  await openApp(page, '#/new');
  stoppedId = await startSimclrRun(page, {
    name: 'e2e stopped',
    tags: 'e2e',
    fields: { ...small, epochs: '8', temperature: '0.2' },
  });
  expect(stoppedId).toBeGreaterThan(completedId);
  const loss = page.getByTestId('chart-loss');
  // Past the first epoch's kNN evaluation, so every chart has something to show.
  await expect
    .poll(() => chartPoints(page.getByTestId('chart-knn_top1')), { timeout: 240_000 })
    .toBeGreaterThan(1);
  await expect.poll(() => chartPoints(loss), { timeout: 60_000 }).toBeGreaterThan(40);
  await expect(page.getByTestId('eta')).toBeVisible();
  await screenshot(page, 'live-run.png', 1000);

  await page.getByTestId('stop-run').click();
  await page.getByTestId('stop-confirm').click();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'stopped', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('stop-run')).toHaveCount(0);
  const points = await chartPoints(loss);
  expect(points).toBeLessThan(8 * 31);
});

test('find both runs in the runs table, filter, sort and edit them', async ({ page }) => {
  await openApp(page, '#/runs');
  const table = page.getByTestId('runs-table');
  const a = page.getByTestId(`run-row-${completedId}`);
  const b = page.getByTestId(`run-row-${stoppedId}`);
  await expect(a).toContainText('e2e baseline');
  await expect(a.locator('[data-status]')).toHaveAttribute('data-status', 'completed');
  await expect(b).toContainText('e2e stopped');
  await expect(b.locator('[data-status]')).toHaveAttribute('data-status', 'stopped');
  await expect(a).toContainText('simclr');
  await expect(a).toContainText('synthetic');

  // Filters: text, status, tag.
  // Other spec files share this server's database: each filter must keep one of ours and drop the other.
  await page.getByTestId('runs-search').fill('e2e baseline');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(a).toBeVisible();
  await page.getByTestId('runs-search').fill('');
  await page.getByTestId('filter-status').selectOption('stopped');
  await expect(b).toBeVisible();
  await expect(a).toHaveCount(0);
  await page.getByTestId('filter-status').selectOption('');
  await page.getByTestId('filter-tag').selectOption('baseline');
  await expect(a).toBeVisible();
  await expect(b).toHaveCount(0);
  await page.getByTestId('filter-tag').selectOption('');
  // Other spec files share this server's database: check what the method filter keeps, not a count.
  await page.getByTestId('filter-method').selectOption('simclr');
  await expect(a).toBeVisible();
  await expect(b).toBeVisible();
  const methodsShown = await table
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
  expect(methodsShown.every((text) => text.includes('simclr'))).toBe(true);

  // Sorting by id, both ways.
  const ids = () =>
    table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))));
  const ours = (all: number[]) => all.filter((id) => id === completedId || id === stoppedId);
  await page.getByTestId('sort-id').locator('button').click();
  let shown = await ids();
  expect(shown).toEqual([...shown].sort((x, y) => x - y));
  expect(ours(shown)).toEqual([completedId, stoppedId]);
  await page.getByTestId('sort-id').locator('button').click();
  shown = await ids();
  expect(shown).toEqual([...shown].sort((x, y) => y - x));
  expect(ours(shown)).toEqual([stoppedId, completedId]);

  // Rename, tag and annotate through the edit dialog.
  await page.getByTestId(`edit-${stoppedId}`).click();
  await page.getByTestId('edit-name').fill('e2e stopped early');
  await page.getByTestId('edit-tags').fill('e2e, stopped');
  await page.getByTestId('edit-notes').fill('τ = 0.2, stopped by the test');
  await page.getByTestId('edit-save').click();
  await expect(page.getByTestId('edit-dialog')).toHaveCount(0);
  await expect(b).toContainText('e2e stopped early');
  await expect(b).toContainText('τ = 0.2, stopped by the test');

  // The table as filtered exports as CSV.
  await page.getByTestId('filter-tag').selectOption('e2e');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-runs').click(),
  ]);
  const rows = await readCsvDownload(download);
  const exported = rows.map((r) => Number(r.run_id)).sort((x, y) => x - y);
  expect(exported).toEqual((await ids()).sort((x, y) => x - y));
  expect(ours(exported)).toEqual([completedId, stoppedId]);
  await screenshot(page, 'runs.png');
});

test('compare the two runs, then export both CSVs', async ({ page }) => {
  await openApp(page, '#/runs');
  await page.getByTestId(`select-${completedId}`).check();
  await page.getByTestId(`select-${stoppedId}`).check();
  await page.getByTestId('compare-selected').click();
  await expect(page).toHaveURL(new RegExp(`#/compare/${completedId},${stoppedId}$`));
  const view = page.getByTestId('compare-screen');
  await expect(view).toBeVisible();

  // Differing config fields are highlighted; equal ones are not.
  for (const key of ['epochs', 'temperature']) {
    const row = page.getByTestId(`cfg-row-${key}`);
    await expect(row).toHaveAttribute('data-differs', 'true');
    await expect(row).toHaveClass(/diff/);
  }
  for (const key of ['width', 'batchSize', 'method']) {
    const row = page.getByTestId(`cfg-row-${key}`);
    await expect(row).toHaveAttribute('data-differs', 'false');
    await expect(row).not.toHaveClass(/diff/);
  }
  await expect(page.getByTestId('compare-finals')).toContainText('Loss');
  // One chart per metric, both runs overlaid.
  const loss = page.getByTestId('chart-loss');
  await expect.poll(() => chartPoints(loss)).toBeGreaterThan(62);
  await expect(page.getByTestId('chart-knn_top1')).toBeVisible();
  await screenshot(page, 'compare.png', 1250);

  // Only differing fields.
  await page.getByTestId('only-diff').check();
  await expect(page.getByTestId('cfg-row-width')).toHaveCount(0);
  await expect(page.getByTestId('cfg-row-epochs')).toBeVisible();
  await page.getByTestId('only-diff').uncheck();

  // Dark theme, kept across reloads.
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'compare-dark.png', 1250);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('cfg-row-epochs')).toHaveAttribute('data-differs', 'true');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

  // Runs CSV of the compared runs.
  const [runsDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('compare-export-runs').click(),
  ]);
  const runs = await readCsvDownload(runsDl);
  expect(runs).toHaveLength(2);
  const byId = new Map(runs.map((r) => [Number(r.run_id), r]));
  expect(byId.get(completedId)).toMatchObject({
    status: 'completed',
    method: 'simclr',
    'config.epochs': '2',
  });
  expect(byId.get(stoppedId)).toMatchObject({ status: 'stopped', 'config.temperature': '0.2' });
  expect(Number(byId.get(completedId)!['final.loss'])).toBeGreaterThan(0);

  // Metrics CSV, long format, never downsampled.
  const [metricsDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('compare-export-metrics').click(),
  ]);
  const points = await readCsvDownload(metricsDl);
  expect(Object.keys(points[0]!)).toEqual([
    'run_id',
    'run_name',
    'method',
    'step',
    'epoch',
    'key',
    'value',
    'wall_time',
  ]);
  const lossOf = (id: number) => points.filter((p) => Number(p.run_id) === id && p.key === 'loss');
  expect(lossOf(completedId)).toHaveLength(62);
  expect(lossOf(stoppedId).length).toBeGreaterThan(40);
  const steps = lossOf(completedId).map((p) => Number(p.step));
  expect(steps).toEqual(steps.map((_, i) => i + 1));
  expect(points.some((p) => Number(p.run_id) === completedId && p.key === 'knn_top1')).toBe(true);
});

test('invalid form input is flagged inline and the run cannot start', async ({ page, request }) => {
  await openApp(page, '#/new');
  const countRuns = async () => ((await apiCall(request, 'listRuns')) as unknown[]).length;
  const before = await countRuns();
  await page.getByTestId('method-simclr').click();
  const start = page.getByTestId('start-run');
  await expect(start).toBeEnabled();

  const cases: [string, string, string][] = [
    ['epochs', 'abc', 'Not a number'],
    ['epochs', '0', 'Must be at least 1'],
    ['batchSize', '2.5', 'Must be a whole number'],
    ['temperature', '0', 'Must be greater than 0'],
    ['width', '4096', 'Must be at most 128'],
  ];
  for (const [key, value, message] of cases) {
    await setField(page, key, value);
    const field = page.getByTestId(`field-${key}`);
    await expect(field).toHaveClass(/invalid/);
    await expect(field.getByTestId('field-error')).toHaveText(message);
    await expect(start).toBeDisabled();
  }
  await expect(page.getByTestId('invalid-summary')).toHaveText('4 fields need attention');
  await page.getByTestId('field-temperature').locator('input').focus();
  await screenshot(page, 'new-run-invalid.png');
  // Clicking a disabled Start does nothing; no run was recorded.
  await start.click({ force: true });
  await expect(page).toHaveURL(/#\/new/);
  expect(await countRuns()).toBe(before);

  // A dataset that needs a folder needs one.
  await page.getByTestId('reset-all').click();
  await expect(start).toBeEnabled();
  await page.getByTestId('run-dataset').selectOption('cifar10');
  await expect(page.getByTestId('run-datadir')).toBeVisible();
  await expect(start).toBeDisabled();
  await page.getByTestId('run-datadir').fill('/nonexistent/cifar-10-batches-bin');
  await expect(start).toBeEnabled();
  // The engine checks the folder itself and says what is wrong; nothing is recorded.
  await start.click();
  await expect(page.getByTestId('start-error')).toContainText('Could not start the run');
  await expect(page).toHaveURL(/#\/new/);
  expect(await countRuns()).toBe(before);
});

test('a run started from the CLI shows up live in the runs table', async ({ page, request }) => {
  await openApp(page, '#/runs');
  const rows = page.getByTestId('runs-table').locator('tbody tr');
  // Count from the database, and wait for the table to show them all, before the CLI adds one: counting
  // rows straight away raced the table's first load.
  const before = ((await apiCall(request, 'listRuns')) as unknown[]).length;
  await expect(rows).toHaveCount(before);
  const cli = spawn(
    process.execPath,
    [
      'bin/contrastlab.js',
      'train',
      '--method',
      'simclr',
      '--db',
      process.env.E2E_DB!,
      '--epochs',
      '1',
      '--width',
      '4',
      '--batch-size',
      '256',
      '--name',
      'e2e from the CLI',
      '--tag',
      'cli',
      '--json',
    ],
    { cwd: root, stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
  try {
    await expect(rows).toHaveCount(before + 1, { timeout: 60_000 });
    const row = page.getByTestId('runs-table').locator('tr', { hasText: 'e2e from the CLI' });
    await expect(row).toBeVisible();
    await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'completed', {
      timeout: 240_000,
    });
    expect(await exited).toBe(0);
  } finally {
    if (cli.exitCode === null) cli.kill('SIGINT');
  }
});

test('Chinese UI text and deleting a run with confirmation', async ({ page }) => {
  await openApp(page, '#/new', { locale: 'zh' });
  await expect(page.getByTestId('tab-new')).toHaveText('新建运行');
  await page.getByTestId('method-simclr').click();
  await expect(page.getByTestId('start-run')).toHaveText('开始运行');
  await screenshot(page, 'new-run-zh.png');
  await page.getByTestId('language').selectOption('en');
  await expect(page.getByTestId('tab-new')).toHaveText('New run');

  await page.getByTestId('tab-runs').click();
  const row = page.getByTestId('runs-table').locator('tr', { hasText: 'e2e from the CLI' });
  const id = Number(await row.getAttribute('data-run-id'));
  await page.getByTestId(`delete-${id}`).click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog).toContainText('e2e from the CLI');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();
  await page.getByTestId(`delete-${id}`).click();
  await page.getByTestId('delete-confirm').click();
  await expect(page.getByTestId(`run-row-${id}`)).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId(`run-row-${completedId}`)).toBeVisible();
  await expect(page.getByTestId(`run-row-${id}`)).toHaveCount(0);
});

test('the live view keeps working after a reload', async ({ page }) => {
  await openApp(page, `#/live/${completedId}`);
  await expect.poll(() => chartPoints(page.getByTestId('chart-loss'))).toBe(62);
  await page.getByTestId('x-epoch').click();
  await page.getByTestId('chart-loss').getByTestId('log-scale').check();
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-drawn', '62');
  await page.getByTestId('chart-loss').getByTestId('log-scale').uncheck();
  await page.getByTestId('x-step').click();
});
