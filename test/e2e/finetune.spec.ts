import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Checkpoint, Job, MetricPoint, Run } from '../../src-main/domain';
import { apiCall, openApp, screenshot, screenshotDir } from './helpers';

/**
 * Fine-tuning on a share of the labels from the run view: the dialog, the two jobs (the pre-trained
 * checkpoint and step 0, from scratch), their result in the run view's label-efficiency chart and table,
 * a share the engine refuses, and the result in the runs table and in Compare.
 */
test.describe.configure({ mode: 'serial' });

/** Two tiny finished runs: the one fine-tuned from the UI, and one to compare it with. */
let tuned = 0;
let other = 0;

/**
 * A tiny run: one epoch of two steps on 128 synthetic images of 10 classes (12 or 13 each), of a
 * ConvNet `width` wide (the two runs differ in it, so Compare shows them apart, not as one seed group).
 */
async function train(request: Parameters<typeof apiCall>[0], name: string, width: number): Promise<number> {
  const run = (await apiCall(request, 'createRun', [
    {
      method: 'simclr',
      name,
      tags: ['e2e', 'finetune'],
      dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
      config: { epochs: 1, width, batchSize: 64, projectionHiddenDim: 64, linearProbe: false },
    },
  ])) as Run;
  return run.id;
}

async function finished(request: Parameters<typeof apiCall>[0], id: number): Promise<void> {
  await expect
    .poll(async () => ((await apiCall(request, 'getRun', [id])) as Run).status, { timeout: 120_000 })
    .toBe('completed');
}

/** Saves the evaluation section (its tabs and the open view) into docs/screenshots. */
async function shotEvaluation(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const section = page.getByTestId('evaluation');
  await section.scrollIntoViewIfNeeded();
  await page.waitForTimeout(800);
  const box = (await section.boundingBox())!;
  const clip = { x: box.x - 12, y: box.y - 8, width: box.width + 24, height: box.height + 20 };
  await page.screenshot({ path: path.join(screenshotDir, name), clip, fullPage: true });
}

async function openCheckpoints(page: Page): Promise<void> {
  await openApp(page, `#/live/${tuned}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed');
  await page.getByTestId('eval-tab-checkpoints').click();
  await expect(page.getByTestId('checkpoint-list')).toBeVisible();
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  // Queued together, they train one after the other: the second while the first is fine-tuned.
  tuned = await train(request, 'e2e fine-tune', 8);
  other = await train(request, 'e2e fine-tune, not tuned', 4);
  await finished(request, tuned);
});

test('fine-tune from the run view: a share refused in the dialog, then 10% of the labels and from scratch', async ({
  page,
  request,
}) => {
  const checkpoints = (await apiCall(request, 'listCheckpoints', [tuned])) as Checkpoint[];
  const latest = checkpoints.at(-1)!;
  const scratch = checkpoints.find((c) => c.step === 0)!;
  expect(latest.step).toBeGreaterThan(0);
  await openCheckpoints(page);
  await expect(page.getByTestId('efficiency-empty')).toContainText('No fine-tune yet');

  await page.getByTestId('finetune-open').click();
  const dialog = page.getByTestId('finetune-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('finetune-recipe')).toContainText('momentum 0.9');
  // The papers' epochs for the share, shown while the field is empty.
  await expect(dialog.getByTestId('finetune-share-10')).toHaveAttribute('aria-checked', 'true');
  await expect(dialog.getByTestId('finetune-epochs-default')).toContainText('30');
  await dialog.getByTestId('finetune-share-1').click();
  await expect(dialog.getByTestId('finetune-epochs-default')).toContainText('60');
  // The latest checkpoint by default; step 0 is named as the from-scratch baseline.
  const select = dialog.getByTestId('finetune-checkpoint');
  await expect(select).toHaveValue(String(latest.id));
  await expect(select.locator(`option[value="${scratch.id}"]`)).toContainText('from scratch');

  // 1% of 12 or 13 images per class keeps none of them: the engine refuses it, in one line.
  await dialog.getByTestId('finetune-share-custom').click();
  await dialog.getByTestId('finetune-custom-share').fill('1');
  await dialog.getByTestId('finetune-epochs').fill('2');
  await dialog.getByTestId('finetune-also-scratch').check();
  await dialog.getByTestId('finetune-start').click();
  await expect(dialog.getByTestId('finetune-error')).toHaveText(
    /^1% of the labels leaves class ".+" without an image \(it has 1\d labelled training images\); every class keeps one from [\d.]+% on$/,
  );
  // What was entered is still there, and nothing was measured.
  await expect(dialog.getByTestId('finetune-custom-share')).toHaveValue('1');
  await expect(dialog.getByTestId('finetune-epochs')).toHaveValue('2');
  await expect(dialog.getByTestId('finetune-also-scratch')).toBeChecked();
  await expect(dialog.getByTestId('finetune-start')).toBeEnabled();
  expect(await apiCall(request, 'getMetrics', [[tuned], ['finetune_top1_1pct']])).toEqual([]);
  await screenshot(page, 'finetune-refused.png');

  // Another share: the line goes, and both fine-tunes start.
  await dialog.getByTestId('finetune-share-10').click();
  await expect(dialog.getByTestId('finetune-error')).toHaveCount(0);
  await expect(dialog.getByTestId('finetune-start')).toHaveText('Start both fine-tunes');
  await screenshot(page, 'finetune-dialog.png');
  await dialog.getByTestId('finetune-start').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('toast')).toContainText(
    'Fine-tunes on 10% of the labels started from Epoch 1 and from scratch',
  );

  // The two jobs with their progress, as the probe's, then their top-1; below them the refused one.
  const jobs = page.getByTestId('job-list').locator('tbody tr');
  await expect(jobs).toHaveCount(3);
  await expect(jobs.nth(2)).toHaveAttribute('data-status', 'failed');
  for (const row of [jobs.nth(0), jobs.nth(1)]) {
    await expect(row.locator('.job-detail')).toHaveText('10% of the labels · 2 epochs');
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  }
  const done = ((await apiCall(request, 'listJobs', [tuned])) as Job[]).filter(
    (j) => j.status === 'completed',
  );
  const resultOf = (c: Checkpoint) => done.find((j) => j.checkpointId === c.id)!.result!.top1;
  const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

  // The run view's label efficiency: a solid and a dashed line, and the numbers with the gain.
  const chart = page.getByTestId('efficiency-chart');
  await expect(chart).toHaveAttribute('data-points', '2');
  await expect(chart).toHaveAttribute('data-solid', '1');
  await expect(chart).toHaveAttribute('data-dashed', '1');
  const row = page.getByTestId('efficiency-row-10');
  await expect(row.getByTestId('efficiency-pretrained')).toHaveText(percent(resultOf(latest)));
  await expect(row.getByTestId('efficiency-scratch')).toHaveText(percent(resultOf(scratch)));
  const gain = 100 * (resultOf(latest) - resultOf(scratch));
  await expect(row.getByTestId('efficiency-gain')).toHaveText(
    `${gain >= 0 ? '+' : '−'}${Math.abs(gain).toFixed(1)}`,
  );
  // Not among the run's curves over steps: a fine-tune is a point at its checkpoint's step.
  await expect(page.getByTestId('chart-finetune_top1_10pct')).toHaveCount(0);
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await shotEvaluation(page, 'finetune-run.png');
});

test("the runs table and Compare show the pre-trained checkpoint's fine-tune and the label-efficiency chart", async ({
  page,
  request,
}) => {
  await finished(request, other);
  const latestOf = (points: MetricPoint[]) => points.reduce((a, b) => (b.step > a.step ? b : a));
  const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
  const tenPercent = latestOf(
    (await apiCall(request, 'getMetrics', [[tuned], ['finetune_top1_10pct']])) as MetricPoint[],
  );
  expect(tenPercent.step).toBeGreaterThan(0);

  // The runs table: the pre-trained checkpoint's fine-tune with its share, whatever step 0 scored.
  await openApp(page, '#/runs');
  const cell = page.getByTestId(`run-finetune-${tuned}`);
  await expect(cell).toContainText(percent(tenPercent.value));
  await expect(cell.locator('.share')).toHaveText('10%');
  await expect(page.getByTestId(`run-finetune-${other}`)).toHaveText('—');

  // A second share through the API, from the latest checkpoint and from step 0, so the curves are lines.
  const checkpoints = (await apiCall(request, 'listCheckpoints', [tuned])) as Checkpoint[];
  const started = await Promise.all(
    [checkpoints.at(-1)!, checkpoints[0]!].map(
      (c) =>
        apiCall(request, 'startFineTune', [
          tuned,
          { labelPercent: 100, checkpointId: c.id, epochs: 1 },
        ]) as Promise<Job>,
    ),
  );
  for (const job of started) {
    await expect
      .poll(
        async () =>
          ((await apiCall(request, 'listJobs', [tuned])) as Job[]).find((j) => j.id === job.id)!.status,
        {
          timeout: 60_000,
        },
      )
      .toBe('completed');
  }
  const hundred = latestOf(
    (await apiCall(request, 'getMetrics', [[tuned], ['finetune_top1_100pct']])) as MetricPoint[],
  );

  await openApp(page, `#/compare/${tuned},${other}`);
  // A row per share with the pre-trained checkpoint's value; none mixing the shares.
  for (const [share, point] of [
    [10, tenPercent],
    [100, hundred],
  ] as const) {
    const row = page.getByTestId(`final-row-finetune_top1_${share}pct`);
    await expect(row).toContainText(`Fine-tune top-1 (${share}% labels)`);
    await expect(row.locator('td').first()).toHaveText(percent(point.value));
    await expect(row.locator('td').nth(1)).toHaveText('—');
  }
  await expect(page.getByTestId('final-row-finetune_top1')).toHaveCount(0);
  // Fine-tunes are not drawn against steps.
  await expect(page.getByTestId('curve-toggle-finetune_top1_10pct')).toHaveCount(0);
  const chart = page.getByTestId('compare-efficiency');
  await expect(chart).toHaveAttribute('data-solid', '1');
  await expect(chart).toHaveAttribute('data-dashed', '1');
  await expect(chart).toHaveAttribute('data-points', '4');
  await chart.scrollIntoViewIfNeeded();
  await page.waitForTimeout(800);
  await chart.screenshot({ path: path.join(screenshotDir, 'compare-label-efficiency.png') });
});

test('the label efficiency in Chinese and the dark theme', async ({ page }) => {
  await openApp(page, `#/live/${tuned}`, { locale: 'zh', theme: 'dark' });
  await page.getByTestId('eval-tab-checkpoints').click();
  await expect(page.getByTestId('label-efficiency')).toContainText('标签效率');
  await expect(page.getByTestId('efficiency-chart')).toHaveAttribute('data-points', '4');
  await shotEvaluation(page, 'finetune-run-zh-dark.png');
});

test("run again: the run form takes the run's settings; it shows the rate after batch scaling and a warm-up as long as the run", async ({
  page,
}) => {
  await openApp(page, `#/live/${tuned}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed');
  await page.getByTestId('run-again').click();
  await expect(page).toHaveURL(/#\/new\/simclr$/);
  await expect(page.getByTestId('run-again-note')).toContainText(`run #${tuned} “e2e fine-tune”`);
  const field = (key: string) => page.getByTestId(`field-${key}`);
  // The run's own settings and dataset, not the paper's defaults.
  await expect(field('width').locator('input')).toHaveValue('8');
  await expect(field('epochs').locator('input')).toHaveValue('1');
  await expect(field('batchSize').locator('input')).toHaveValue('64');
  await expect(page.getByTestId('run-trainsize')).toHaveValue('128');
  await expect(page.getByTestId('run-tags')).toHaveValue('e2e, finetune');
  // lr is per 256 images: at batch 64 the run trains at a quarter of it.
  const lr = Number(await field('lr').locator('input').inputValue());
  await expect(field('lr').getByTestId('field-note')).toContainText(
    `peak rate of ${Number(((lr * 64) / 256).toPrecision(4))} (${lr} × 64 / 256`,
  );
  // One epoch with the default warm-up of one: the rate would climb to the last step and never decay.
  await expect(field('warmupEpochs').getByTestId('field-warning')).toContainText('as long as the run (1)');
  await field('epochs').locator('input').fill('5');
  await expect(field('warmupEpochs').getByTestId('field-warning')).toHaveCount(0);
  await screenshot(page, 'run-again.png');
  await page.getByTestId('reset-all').click();
  await expect(page.getByTestId('run-again-note')).toHaveCount(0);
  await expect(field('width').locator('input')).not.toHaveValue('8');
});
