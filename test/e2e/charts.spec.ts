import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { Run } from '../../src-main/domain';
import { apiCall, openApp, screenshotDir } from './helpers';

/**
 * Chart comforts on two tiny finished runs: a log scale per chart, zoom and crosshair shared by a view's
 * charts with one reset, the smoothed and the raw value in the tooltip, saving a chart as PNG and SVG,
 * single-point metrics as values, and the curves against images seen and wall time.
 */
test.describe.configure({ mode: 'serial' });

/** Batch 16 for 8 steps and batch 32 for 4 steps: both have seen the 128 images at their ends. */
let small = 0;
let large = 0;

async function train(request: Parameters<typeof apiCall>[0], batchSize: number): Promise<number> {
  const run = (await apiCall(request, 'createRun', [
    {
      method: 'simclr',
      name: `e2e charts batch ${batchSize}`,
      tags: ['e2e', 'charts'],
      dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
      config: { epochs: 1, width: 4, batchSize, projectionHiddenDim: 32, knnK: 5 },
    },
  ])) as Run;
  return run.id;
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(240_000);
  small = await train(request, 16);
  large = await train(request, 32);
  for (const id of [small, large])
    await expect
      .poll(async () => ((await apiCall(request, 'getRun', [id])) as Run).status, { timeout: 200_000 })
      .toBe('completed');
});

/** The middle of a chart's plot, where hovering or scrolling hits the data. */
async function plotCentre(chart: Locator): Promise<{ x: number; y: number }> {
  const box = (await chart.locator('.chart-canvas').boundingBox())!;
  return { x: box.x + box.width * 0.55, y: box.y + box.height * 0.45 };
}

/** Saves Compare's curves (their controls and the first row of charts) as docs/screenshots/charts.png. */
async function shotCurves(page: Page): Promise<void> {
  await page.waitForTimeout(800);
  const top = (await page.getByTestId('chart-controls').boundingBox())!;
  const chart = (await page.getByTestId('chart-loss').boundingBox())!;
  const width = page.viewportSize()!.width;
  const clip = { x: 0, y: top.y - 10, width, height: chart.y + chart.height - top.y + 20 };
  await page.screenshot({ path: path.join(screenshotDir, 'charts.png'), clip });
}

async function saveImage(page: Page, chart: Locator, type: 'png' | 'svg'): Promise<Buffer> {
  await chart.getByTestId('chart-save').click();
  const download = page.waitForEvent('download');
  await chart.getByTestId(`chart-save-${type}`).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`\\.${type}$`));
  const saved = path.join(process.env.E2E_TMP ?? '/tmp', `chart-${Date.now()}.${type}`);
  await file.saveAs(saved);
  return fs.readFileSync(saved);
}

test('run view: a log toggle per chart, zoom and crosshair shared, smoothed and raw values, PNG and SVG', async ({
  page,
}) => {
  await openApp(page, `#/live/${small}`);
  const loss = page.getByTestId('chart-loss');
  const lr = page.getByTestId('chart-lr');
  await expect(loss).toHaveAttribute('data-points', '8');

  // Log scale on the loss only, kept after a reload.
  await loss.getByTestId('log-scale').check();
  await expect(loss).toHaveAttribute('data-log', 'true');
  await expect(lr).toHaveAttribute('data-log', 'false');
  await page.reload();
  await expect(loss).toHaveAttribute('data-log', 'true');
  await loss.getByTestId('log-scale').uncheck();
  await expect(loss).toHaveAttribute('data-log', 'false');

  // Hovering the loss: its tooltip gives the smoothed and the raw value; the lr chart's crosshair is at
  // the same step, without a tooltip of its own.
  const centre = await plotCentre(loss);
  await page.mouse.move(centre.x, centre.y);
  await expect(loss).toContainText('smoothed (0.60) · raw');
  await expect(loss.locator('[data-raw]')).toContainText(/raw \d/);
  await expect(loss).toContainText(/Step \d+/);
  await expect(loss).not.toHaveAttribute('data-pointer', '');
  const x = (await loss.getAttribute('data-pointer'))!;
  await expect(lr).toHaveAttribute('data-pointer', x);
  await expect(lr.locator('.metric-tooltip')).toBeHidden();
  // A follower redrawn under a still pointer (its log scale switched without the mouse, as a resize or
  // arriving data would redraw it) keeps following: the tooltip stays with the chart under the pointer.
  await lr.getByTestId('log-scale').dispatchEvent('click');
  await expect(lr).toHaveAttribute('data-log', 'true');
  await expect(loss.locator('[data-raw]')).toContainText(/raw \d/);
  await expect(lr.locator('.metric-tooltip')).toBeHidden();
  await lr.getByTestId('log-scale').dispatchEvent('click');
  await expect(lr).toHaveAttribute('data-log', 'false');

  // Scrolling zooms the loss chart and the others follow to the same steps; one reset undoes it.
  await expect(page.getByTestId('reset-zoom')).toBeDisabled();
  await page.mouse.wheel(0, -400);
  await expect(loss).not.toHaveAttribute('data-zoom', '');
  const range = await loss.getAttribute('data-zoom');
  await expect(lr).toHaveAttribute('data-zoom', range!);
  await expect(page.getByTestId('reset-zoom')).toBeEnabled();
  await page.getByTestId('reset-zoom').click();
  await expect(loss).toHaveAttribute('data-zoom', '');
  await expect(lr).toHaveAttribute('data-zoom', '');

  // One throughput value and one probe in a one-epoch run: values, not lone dots.
  await expect(page.getByTestId('chart-images_per_s')).toHaveAttribute('data-tiles', '1');
  await expect(page.getByTestId('chart-images_per_s').getByTestId('value-tile')).toContainText(
    'at step 8 (epoch 1)',
  );
  await page.getByTestId('eval-tab-diagnostics').click();
  const probe = page.getByTestId('diag-probe');
  await expect(probe).toHaveAttribute('data-tiles', '2');
  await expect(probe.getByTestId('value-tile').first()).toContainText(
    /^Linear probe top-1\d+\.\d%at epoch 1$/,
  );

  const png = await saveImage(page, loss, 'png');
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.length).toBeGreaterThan(2000);
  const svg = decodeURIComponent(String(await saveImage(page, loss, 'svg'))).trim();
  expect(svg).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s>]/);
  expect(svg).toMatch(/<\/svg>$/);
  // Well-formed XML (an image viewer refuses anything else), saying what it shows and drawing its line.
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      texts: Array.from(doc.querySelectorAll('text')).map((t) => t.textContent),
      paths: doc.querySelectorAll('path').length,
    };
  }, svg);
  expect(parsed.error).toBeNull();
  expect(parsed.texts).toContain('Loss');
  expect(parsed.texts).toContain('Step');
  expect(parsed.paths).toBeGreaterThan(5);

  // The evaluation tabs' charts save alike: the similarity histograms as a PNG.
  await page.getByTestId('eval-tab-similarity').click();
  const similarity = page.getByTestId('similarity');
  await expect(similarity.getByTestId('similarity-chart')).not.toHaveAttribute('data-bars', '0');
  const histogram = await saveImage(page, similarity, 'png');
  expect(histogram.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
    true,
  );
});

test('Compare: curves against images seen and wall time, and single-point metrics as values', async ({
  page,
}) => {
  await openApp(page, `#/compare/${small},${large}`);
  const loss = page.getByTestId('chart-loss');
  await expect(loss).toHaveAttribute('data-points', '12');
  await expect(loss).toHaveAttribute('data-x-max', '8');
  // By images seen both runs end at the 128 images they saw, batch 16 or 32.
  await page.getByTestId('x-images').click();
  await expect(loss).toHaveAttribute('data-x-max', '128');
  await expect(loss).toHaveAttribute('data-x-axis', 'Images seen');
  await page.getByTestId('x-wall').click();
  const seconds = Number(await loss.getAttribute('data-x-max'));
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThan(600);
  await expect(loss).toHaveAttribute('data-x-axis', /^Wall time \((s|min)\)$/);
  await page.getByTestId('x-images').click();

  // The final probe is one number a run: values, not a line with a lone dot.
  const probe = page.getByTestId('chart-probe_top1');
  await expect(probe).toHaveAttribute('data-tiles', '2');
  await expect(probe.getByTestId('value-tile').first()).toContainText(/\d+(\.\d)?%/);
  await expect(probe.getByTestId('value-tile').first()).toContainText('at step 8');

  // Zoom is shared by Compare's curves too.
  await page.getByTestId('chart-controls').evaluate((el) => {
    el.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -70);
  });
  const centre = await plotCentre(loss);
  await page.mouse.move(centre.x - 5, centre.y);
  await page.mouse.move(centre.x, centre.y);
  await expect(loss).toContainText('Images seen 64');
  const x = (await loss.getAttribute('data-pointer'))!;
  await expect(page.getByTestId('chart-knn_top1')).toHaveAttribute('data-pointer', x);
  await shotCurves(page);
  await page.mouse.wheel(0, -300);
  const range = await loss.getAttribute('data-zoom');
  expect(range).not.toBe('');
  await expect(page.getByTestId('chart-lr')).toHaveAttribute('data-zoom', range!);
  await page.getByTestId('reset-zoom').click();
  await expect(loss).toHaveAttribute('data-zoom', '');
});
