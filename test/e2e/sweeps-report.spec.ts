import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import type { Checkpoint, CheckpointFile, Grid, Run } from '../../src-main/domain';
import { apiCall, appUrl, openApp, screenshotDir } from './helpers';

/**
 * Sweep analysis (Compare and a grid's card), notes in Markdown, a run's one-page report (HTML and
 * Markdown) and checkpoint downloads, on the four tiny runs of one 2 × 2 grid: learning rate 0.01 and 1
 * (a log axis) by batch 16 and 32.
 */
test.describe.configure({ mode: 'serial' });

let grid: Grid;
let runIds: number[] = [];
const tmp = () => process.env.E2E_TMP ?? '/tmp';

test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  grid = (await apiCall(request, 'createGrid', [
    {
      method: 'simclr',
      name: 'e2e sweep',
      dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
      config: { epochs: 1, width: 4, projectionHiddenDim: 32, knnK: 5 },
      rows: { field: 'lr', values: [0.01, 1] },
      cols: { field: 'batchSize', values: [16, 32] },
    },
  ])) as Grid;
  runIds = grid.runIds.flat(2);
  expect(runIds).toHaveLength(4);
  for (const id of runIds)
    await expect
      .poll(async () => ((await apiCall(request, 'getRun', [id])) as Run).status, { timeout: 280_000 })
      .toBe('completed');
});

async function shoot(page: Page, testId: string, file: string): Promise<void> {
  const el = page.getByTestId(testId);
  await el.scrollIntoViewIfNeeded();
  await page.waitForTimeout(600);
  await el.screenshot({ path: file });
}

test('sweep analysis: parallel coordinates over the settings that differ, coloured by a metric, and a scatter', async ({
  page,
}) => {
  await openApp(page, `#/compare/${runIds.join(',')}`);
  const sweep = page.getByTestId('sweep');
  await expect(sweep).toBeVisible();
  // Only batch size and lr differ (in the config's order); lr spans two decades: a log axis.
  await expect(sweep).toHaveAttribute('data-axes', 'batchSize,lr');
  await expect(sweep).toHaveAttribute('data-axis-kinds', 'value,log');
  // Coloured by the final linear probe, every run measured.
  await expect(sweep).toHaveAttribute('data-metric', 'probe_top1');
  await expect(sweep).toHaveAttribute('data-lines', '4');
  await expect(page.getByTestId('sweep-parallel').locator('canvas')).toHaveCount(1);

  // Another colour metric.
  await page.getByTestId('sweep-metric').selectOption('loss');
  await expect(sweep).toHaveAttribute('data-metric', 'loss');

  // The scatter: the loss against batch size (the first setting), then kNN against lr (a log axis).
  const scatter = page.getByTestId('sweep-scatter');
  await expect(scatter).toHaveAttribute('data-x', 'batchSize');
  await expect(scatter).toHaveAttribute('data-x-kind', 'value');
  await expect(scatter).toHaveAttribute('data-y', 'loss');
  await expect(scatter).toHaveAttribute('data-points', '4');
  await page.getByTestId('sweep-setting').selectOption('lr');
  await page.getByTestId('sweep-scatter-metric').selectOption('knn_top1');
  await expect(scatter).toHaveAttribute('data-x', 'lr');
  await expect(scatter).toHaveAttribute('data-x-kind', 'log');
  await expect(scatter).toHaveAttribute('data-y', 'knn_top1');
  await expect(scatter).toHaveAttribute('data-points', '4');

  await page.getByTestId('sweep-metric').selectOption('probe_top1');
  await shoot(page, 'sweep', path.join(screenshotDir, 'sweep-analysis.png'));

  // Dark theme and Chinese, for a look.
  await page.evaluate(() => {
    localStorage.setItem(
      'contrastlab.prefs',
      JSON.stringify({ locale: 'zh', theme: 'dark', smoothing: 0.6, logScale: false, xMode: 'step' }),
    );
  });
  await page.reload();
  await expect(sweep).toContainText('扫参分析');
  await shoot(page, 'sweep', path.join(os.tmpdir(), 'sweep-analysis-dark-zh.png'));

  // The grid's card has the same analysis, folded until opened (still in Chinese, dark).
  await page.goto(appUrl('#/grids'));
  await page.getByTestId(`grid-sweep-open-${grid.id}`).click();
  const gridSweep = page.getByTestId(`grid-sweep-${grid.id}`);
  await expect(gridSweep).toHaveAttribute('data-axes', 'batchSize,lr');
  await expect(gridSweep).toHaveAttribute('data-lines', '4');
  await expect(page.getByTestId(`grid-sweep-${grid.id}-scatter`)).toHaveAttribute('data-points', '4');
  await shoot(page, `grid-card-${grid.id}`, path.join(os.tmpdir(), 'grid-sweep.png'));
});

test('notes take Markdown: written, previewed, saved and shown formatted, raw HTML never run', async ({
  page,
}) => {
  const id = runIds[0]!;
  await openApp(page, `#/live/${id}`);
  await expect(page.getByTestId('run-notes-empty')).toBeVisible();
  await page.getByTestId('run-notes-edit').click();
  const notes =
    '## Why\n\nLR **0.01** is the *baseline*.\n\n- crop\n- [paper](https://arxiv.org/abs/2002.05709)\n\n<img src=x onerror="window.pwned=1">';
  await page.getByTestId('run-notes-text').fill(notes);
  await page.getByTestId('run-notes-text-preview').click();
  const preview = page.getByTestId('run-notes-text-rendered');
  await expect(preview.locator('h2')).toHaveText('Why');
  await expect(preview.locator('strong')).toHaveText('0.01');
  await page.getByTestId('run-notes-text-write').click();
  await expect(page.getByTestId('run-notes-text')).toHaveValue(notes);
  await page.getByTestId('run-notes-save').click();

  const rendered = page.getByTestId('run-notes-rendered');
  await expect(rendered.locator('em')).toHaveText('baseline');
  await expect(rendered.locator('a')).toHaveAttribute('target', '_blank');
  await expect(rendered.locator('img')).toHaveCount(0);
  await expect(rendered).toContainText('<img src=x');
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await expect.poll(async () => ((await apiCall(page.request, 'getRun', [id])) as Run).notes).toBe(notes);
  await shoot(page, 'run-notes', path.join(os.tmpdir(), 'run-notes.png'));

  // The runs table's edit dialog has the same Write / Preview switch.
  await openApp(page, '#/runs');
  // The table shows the note on one line as plain text, its Markdown markers gone.
  await expect(page.getByTestId(`run-note-${id}`)).toHaveText(
    'Why · LR 0.01 is the baseline. · crop · paper · <img src=x onerror="window.pwned=1">',
  );
  await page.getByTestId(`edit-${id}`).click();
  await page.getByTestId('edit-notes-preview').click();
  await expect(page.getByTestId('edit-notes-rendered').locator('strong')).toHaveText('0.01');
  await shoot(page, 'edit-dialog', path.join(os.tmpdir(), 'edit-notes.png'));
  await page.getByTestId('edit-notes-write').click();
  await expect(page.getByTestId('edit-notes')).toHaveValue(notes);
});

test('a run exports as a one-page report: HTML with its charts inside, or Markdown zipped with them', async ({
  page,
}) => {
  const id = runIds[0]!;
  await openApp(page, `#/live/${id}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed');

  const htmlDownload = page.waitForEvent('download');
  await page.getByTestId('report-html').click();
  const html = await htmlDownload;
  expect(html.suggestedFilename()).toMatch(new RegExp(`^contrastlab-run-${id}-.*\\.html$`));
  const htmlFile = path.join(tmp(), html.suggestedFilename());
  await html.saveAs(htmlFile);
  const text = fs.readFileSync(htmlFile, 'utf8');
  expect(text).toContain(`Run #${id}`);
  expect(text).toContain('Final numbers');
  // The probe and kNN with how they were measured.
  expect(text).toMatch(/Linear probe top-1/);
  expect(text).toMatch(/k = 5/);
  expect((text.match(/<img src="data:image\/png;base64,/g) ?? []).length).toBeGreaterThanOrEqual(2);
  expect(text).toContain('<strong>0.01</strong>');
  expect(text).not.toContain('<img src=x');

  // Opened as a researcher would: a page of its own, charts loaded.
  const report = await page.context().newPage();
  await report.goto(`file://${htmlFile}`);
  await expect(report.locator('h1')).toContainText(`Run #${id}`);
  await expect
    .poll(() =>
      report
        .locator('figure img')
        .evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)),
    )
    .toBe(true);
  await report.setViewportSize({ width: 1100, height: 1400 });
  await report.screenshot({ path: path.join(screenshotDir, 'run-report.png') });
  await report.screenshot({ path: path.join(os.tmpdir(), 'run-report-full.png'), fullPage: true });
  await report.close();

  const zipDownload = page.waitForEvent('download');
  await page.getByTestId('report-markdown').click();
  const zip = await zipDownload;
  expect(zip.suggestedFilename()).toMatch(/\.zip$/);
  const zipFile = path.join(tmp(), zip.suggestedFilename());
  await zip.saveAs(zipFile);
  const files = unzipSync(new Uint8Array(fs.readFileSync(zipFile)));
  const stem = zip.suggestedFilename().replace(/\.zip$/, '');
  const md = new TextDecoder().decode(files[`${stem}/report.md`]);
  expect(md).toContain(`# Run #${id}`);
  const linked = [...md.matchAll(/!\[[^\]]*\]\((charts\/[^)]+\.png)\)/g)].map((m) => m[1]!);
  expect(linked.length).toBeGreaterThanOrEqual(2);
  for (const file of linked) {
    const png = files[`${stem}/${file}`]!;
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  }
});

test("a checkpoint downloads as its file's exact bytes", async ({ page }) => {
  const id = runIds[0]!;
  const checkpoint = ((await apiCall(page.request, 'listCheckpoints', [id])) as Checkpoint[]).at(-1)!;
  const source = (await apiCall(page.request, 'getCheckpointFile', [checkpoint.id])) as CheckpointFile;
  // In Chinese on the dark theme, for a look at the run view's new parts there.
  await openApp(page, `#/live/${id}`, { locale: 'zh', theme: 'dark' });
  await page.getByTestId('eval-tab-checkpoints').click();
  const download = page.waitForEvent('download');
  await page.getByTestId(`download-checkpoint-${checkpoint.id}`).click();
  const file = await download;
  await page.locator('.live-header').screenshot({ path: path.join(os.tmpdir(), 'live-header.png') });
  await shoot(page, 'checkpoint-list', path.join(os.tmpdir(), 'checkpoint-list.png'));
  await shoot(page, 'run-notes', path.join(os.tmpdir(), 'run-notes-dark-zh.png'));
  expect(file.suggestedFilename()).toBe(`contrastlab-run-${id}-step-${checkpoint.step}.ckpt`);
  const saved = path.join(tmp(), file.suggestedFilename());
  await file.saveAs(saved);
  expect(fs.readFileSync(saved).equals(fs.readFileSync(source.path))).toBe(true);
});
