import { expect, test, type Page } from '@playwright/test';
import { apiCall, openApp, readCsvDownload, screenshot, setField } from './helpers';

/**
 * Mean ± std across seeds, wherever runs are compared: a one-axis grid with two seeds per cell made from
 * its form, its heatmap of mean ± std, the comparison aggregating the seeds (a band around each mean
 * curve), the runs table folding them into one row, and the aggregate CSV.
 */
test.describe.configure({ mode: 'serial' });

interface GridShape {
  id: number;
  rows: { field: string; values: unknown[] };
  cols: unknown;
  seeds: number[];
  executor: string;
  metric: string;
  runIds: number[][][];
}
interface RunShape {
  id: number;
  status: string;
  config: Record<string, unknown>;
  summary: Record<string, number>;
}

let grid: GridShape;
/** The runs of each cell (one per seed), cell by cell. */
let cellRuns: number[][] = [];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) =>
  Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

async function runsOf(page: Page, ids: number[]): Promise<RunShape[]> {
  return Promise.all(ids.map((id) => apiCall(page.request, 'getRun', [id]) as Promise<RunShape>));
}

test('a one-axis grid with two seeds per cell shows mean ± std (n) in its heatmap', async ({
  page,
  request,
}) => {
  await openApp(page, '#/grids');
  const form = page.getByTestId('grid-form');
  // The form opens by itself when there is no grid yet, and is drawn once the methods have loaded: ask the
  // button whether it is open rather than whether it is drawn, or a click could close it.
  const newGrid = page.getByTestId('grid-new');
  await expect(newGrid).toBeVisible();
  if ((await newGrid.getAttribute('aria-expanded')) !== 'true') await newGrid.click();
  await expect(form).toBeVisible();
  await page.getByTestId('grid-dataset').selectOption('synthetic');
  // Subset sizes no other spec trains with: runs of the same configuration from other specs, sharing
  // the server, would join these runs' seed groups.
  await page.getByTestId('grid-trainsize').fill('192');
  await page.getByTestId('grid-testsize').fill('96');
  await page.getByTestId('grid-name').fill('e2e crop over seeds');
  for (const [k, v] of Object.entries({ epochs: '1', width: '4', batchSize: '64' }))
    await setField(page, k, v);

  // One setting: the columns' block goes away.
  await expect(page.getByTestId('grid-cols')).toBeVisible();
  await page.getByTestId('grid-two-axes').uncheck();
  await expect(page.getByTestId('grid-cols')).toHaveCount(0);
  await expect(page.getByTestId('grid-rows-field')).toHaveValue('cropMinScale');
  await page.getByTestId('grid-rows-values').fill('0.08, 1');

  // Seeds per cell: 1 to 10.
  const seeds = page.getByTestId('grid-seeds');
  const submit = page.getByTestId('grid-submit');
  await seeds.fill('11');
  await expect(page.getByTestId('grid-seeds-error')).toHaveText('A whole number from 1 to 10');
  await expect(submit).toBeDisabled();
  await seeds.fill('2');
  await expect(page.getByTestId('grid-seeds-error')).toHaveCount(0);
  await expect(page.getByTestId('grid-seeds-help')).toContainText('(0, 1)');
  // This machine, not the cluster.
  await page.getByTestId('grid-executor-local').click();
  await expect(page.getByTestId('grid-executor-local')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('grid-summary')).toHaveText(
    '2 values × 2 seeds = 4 runs, queued and run a few at a time',
  );
  await expect(submit).toHaveText('Queue 4 runs');
  await page.getByTestId('grid-seeds').scrollIntoViewIfNeeded();
  await screenshot(page, 'grid-seeds-form.png', 1100);

  await submit.click();
  // This grid's card: the list may still show only the grids of other specs for a moment.
  const card = page.locator('[data-testid^="grid-card-"]', { hasText: 'e2e crop over seeds' });
  await expect(card).toBeVisible();
  const gridId = Number((await card.getAttribute('data-testid'))!.replace('grid-card-', ''));
  grid = (await apiCall(request, 'getGrid', [gridId])) as GridShape;
  expect(grid.cols).toBeNull();
  expect(grid.seeds).toEqual([0, 1]);
  expect(grid.executor).toBe('local');
  // runIds[r][0][s]: two cells in one row of the heatmap, two seeds each.
  expect(grid.runIds.map((row) => row.map((seedRuns) => seedRuns.length))).toEqual([[2], [2]]);
  cellRuns = grid.runIds.map((row) => row[0]!);
  for (const [r, ids] of cellRuns.entries()) {
    const runs = await runsOf(page, ids);
    expect(runs.map((run) => run.config.seed)).toEqual([0, 1]);
    for (const run of runs) expect(run.config.cropMinScale).toBe(grid.rows.values[r]);
  }
  await expect(card).toContainText('2 seeds per cell');

  // The heatmap fills in as both seeds of each cell finish.
  const heatmap = page.getByTestId(`heatmap-${gridId}`);
  await expect(heatmap).toHaveAttribute('data-cells', '2');
  const progress = page.getByTestId(`grid-progress-${gridId}`);
  await expect(progress).toHaveText('4 of 4 finished', { timeout: 360_000 });
  await expect(heatmap).toHaveAttribute('data-filled', '2');

  const labels = JSON.parse((await heatmap.getAttribute('data-labels'))!) as Record<string, string>;
  for (const [r, ids] of cellRuns.entries()) {
    const probes = (await runsOf(page, ids)).map((run) => run.summary.probe_top1!);
    expect(probes).toHaveLength(2);
    const cell = page.getByTestId(`grid-cell-${gridId}-${r}-0`);
    await expect(cell).toHaveAttribute('data-status', 'completed');
    await expect(cell).toHaveAttribute('data-n', '2');
    expect(Number(await cell.getAttribute('data-value'))).toBeCloseTo(mean(probes), 10);
    expect(Number(await cell.getAttribute('data-std'))).toBeCloseTo(sampleStd(probes), 10);
    // "71.2 ± 1.3% (n=2)": in the heatmap and in the table beside it.
    const text = `${(mean(probes) * 100).toFixed(1)} ± ${(sampleStd(probes) * 100).toFixed(1)}% (n=2)`;
    expect(labels[`${r},0`]).toBe(text);
    await expect(cell).toContainText(text);
    for (const id of ids)
      await expect(page.getByTestId(`grid-run-${id}`)).toHaveAttribute('data-status', 'completed');
  }
  await heatmap.scrollIntoViewIfNeeded();
  await screenshot(page, 'grid-seeds-heatmap.png');

  // Clicking a cell compares its seeds' runs.
  const centres = JSON.parse((await heatmap.getAttribute('data-centres'))!) as {
    r: number;
    x: number;
    y: number;
  }[];
  const second = centres.find((p) => p.r === 1)!;
  await heatmap.locator('.heatmap-canvas').click({ position: { x: second.x, y: second.y } });
  await expect(page).toHaveURL(new RegExp(`#/compare/${cellRuns[1]!.join(',')}$`));
});

test('compare aggregates the seeds: mean ± std (n) in the table, a band around each mean curve', async ({
  page,
}) => {
  expect(cellRuns).toHaveLength(2);
  const all = cellRuns.flat();
  await openApp(page, `#/compare/${all.join(',')}`);
  const toggle = page.getByTestId('aggregate-seeds');
  // On by default: the selection holds runs that differ only in their seed.
  await expect(toggle).toBeChecked();

  // Two entries, one per configuration, each "mean ± std (n=2)".
  const finals = page.getByTestId('compare-finals');
  await expect(finals.locator('thead th')).toHaveCount(3);
  for (const ids of cellRuns)
    await expect(page.getByTestId(`finals-head-seeds:${ids[0]}`)).toContainText('(n=2)');
  const probeCells = page.getByTestId('final-row-probe_top1').locator('td');
  await expect(probeCells).toHaveCount(2);
  for (const [i, ids] of cellRuns.entries()) {
    const probes = (await runsOf(page, ids)).map((run) => run.summary.probe_top1!);
    await expect(probeCells.nth(i)).toHaveText(
      `${(mean(probes) * 100).toFixed(1)} ± ${(sampleStd(probes) * 100).toFixed(1)}% (n=2)`,
    );
  }

  // Curves: the mean of each group with its ± std band.
  const loss = page.getByTestId('chart-loss');
  await expect(loss).toBeVisible();
  await expect(loss).toHaveAttribute('data-bands', '2');
  await expect.poll(async () => Number(await loss.getAttribute('data-points'))).toBeGreaterThan(2);
  await page.getByTestId('curve-picker').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-seeds.png', 1250);

  // Off: the four runs side by side, no bands.
  await toggle.uncheck();
  await expect(finals.locator('thead th')).toHaveCount(5);
  await expect(loss).toHaveAttribute('data-bands', '0');
  await expect(page.getByTestId('final-row-probe_top1').locator('td').first()).not.toContainText('±');
  await toggle.check();
  await expect(loss).toHaveAttribute('data-bands', '2');

  // The same in Chinese.
  await page.getByTestId('language').selectOption('zh');
  await expect(page.getByTestId('aggregate-seeds-label')).toHaveText('汇总种子');
  await page.getByTestId('language').selectOption('en');

  // The aggregate CSV: one row per configuration.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('compare-export-aggregate').click(),
  ]);
  const rows = await readCsvDownload(download);
  expect(rows.map((r) => [r.run_ids, r.n, r.seeds])).toEqual(
    cellRuns.map((ids) => [ids.join(';'), '2', '0;1']),
  );
  for (const [i, ids] of cellRuns.entries()) {
    const probes = (await runsOf(page, ids)).map((run) => run.summary.probe_top1!);
    expect(Number(rows[i]!.probe_top1_mean)).toBeCloseTo(mean(probes), 12);
    expect(Number(rows[i]!.probe_top1_std)).toBeCloseTo(sampleStd(probes), 12);
    expect(rows[i]!.probe_top1_n).toBe('2');
    expect(Number(rows[i]!['config.cropMinScale'])).toBe(grid.rows.values[i]);
  }
});

test('the runs table folds runs that differ only in their seed into one row per configuration', async ({
  page,
}) => {
  expect(cellRuns).toHaveLength(2);
  await openApp(page, '#/runs');
  for (const id of cellRuns.flat()) await expect(page.getByTestId(`run-row-${id}`)).toBeVisible();
  await page.getByTestId('group-seeds').check();
  for (const ids of cellRuns) {
    const group = page.getByTestId(`run-group-${Math.min(...ids)}`);
    await expect(group).toHaveAttribute('data-n', '2');
    await expect(group).toHaveAttribute('data-run-ids', ids.join(','));
    await expect(page.getByTestId(`group-n-${Math.min(...ids)}`)).toHaveText('2 seeds');
    // The final loss as mean ± std over the seeds.
    const losses = (await runsOf(page, ids)).map((run) => run.summary.loss!);
    const lossCell = page.getByTestId(`group-loss-${Math.min(...ids)}`);
    // Over both runs: n is the group's, so not repeated in the cell.
    await expect(lossCell).toHaveAttribute('data-n', '2');
    await expect(lossCell).toHaveText(/^\s*[\d.]+ ± [\d.e-]+\s*$/);
    // Its mean, to the digits shown.
    const shownMean = Number((await lossCell.textContent())!.split('±')[0]);
    expect(Math.abs(shownMean - mean(losses)) / mean(losses)).toBeLessThan(1e-3);
    for (const id of ids) await expect(page.getByTestId(`run-row-${id}`)).toHaveCount(0);
  }
  // Expanding a group lists its runs under it.
  const [first] = cellRuns;
  await page.getByTestId(`group-toggle-${Math.min(...first!)}`).click();
  for (const [s, id] of first!.entries())
    await expect(page.getByTestId(`run-row-${id}`)).toContainText(`seed ${s}`);
  await screenshot(page, 'runs-seed-groups.png');

  // Selecting a group selects its runs; comparing it aggregates them.
  await page.getByTestId(`select-group-${Math.min(...first!)}`).check();
  await expect(page.getByTestId(`select-${first![1]}`)).toBeChecked();
  await page.getByTestId(`group-toggle-${Math.min(...first!)}`).click();
  await expect(page.getByTestId(`run-row-${first![0]}`)).toHaveCount(0);

  // The aggregate CSV of the runs shown.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-aggregate').click(),
  ]);
  const rows = await readCsvDownload(download);
  for (const ids of cellRuns) {
    const row = rows.find((r) => r.run_ids === ids.join(';'));
    expect(row).toMatchObject({ n: '2', seeds: '0;1', probe_top1_n: '2' });
  }

  await page.getByTestId(`group-compare-${Math.min(...first!)}`).click();
  await expect(page).toHaveURL(new RegExp(`#/compare/${first!.join(',')}$`));
  await expect(page.getByTestId('aggregate-seeds')).toBeChecked();
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-bands', '1');
});
