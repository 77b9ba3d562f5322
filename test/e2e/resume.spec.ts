import path from 'node:path';
import { expect, test } from '@playwright/test';
import { defaultSettings, type Checkpoint, type Run, type Settings } from '../../src-main/domain';
import { apiCall, chartPoints, openApp, screenshot, screenshotDir, startSimclrRun } from './helpers';

/**
 * Resuming runs in browser mode: a run stopped mid-way resumed from the runs table, then continued for
 * one more epoch from the run view, a resume refused by the engine, and the Settings screen.
 */
test.describe.configure({ mode: 'serial' });

// 2000 synthetic images, batch 64 → 31 steps per epoch; width 8 keeps an epoch to seconds.
const stepsPerEpoch = 31;
let runId = 0;

test('resume a stopped run from the runs table and watch it finish under the same id', async ({
  page,
  request,
}) => {
  await openApp(page, '#/new');
  runId = await startSimclrRun(page, {
    name: 'e2e resumed',
    tags: 'e2e, resume',
    fields: { width: '8', batchSize: '64', epochs: '4' },
  });
  const loss = page.getByTestId('chart-loss');
  // Past the first epoch (its kNN evaluation and checkpoint), then stopped mid-way through the second.
  await expect
    .poll(() => chartPoints(page.getByTestId('chart-knn_top1')), { timeout: 240_000 })
    .toBeGreaterThan(1);
  await expect.poll(() => chartPoints(loss), { timeout: 60_000 }).toBeGreaterThan(stepsPerEpoch + 4);
  await page.getByTestId('stop-run').click();
  await page.getByTestId('stop-confirm').click();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'stopped', {
    timeout: 60_000,
  });
  // The step it stopped at is its stop checkpoint's; the chart may draw that step's point just after
  // the status changes, so wait for it rather than read the chart once.
  const checkpoints = (await apiCall(request, 'listCheckpoints', [runId])) as Checkpoint[];
  const stoppedAt = checkpoints.at(-1)!.step;
  await expect.poll(() => chartPoints(loss)).toBe(stoppedAt);
  expect(stoppedAt).toBeLessThan(4 * stepsPerEpoch);
  // The run view offers Resume where Stop was.
  await expect(page.getByTestId('resume-run')).toHaveText('Resume…');
  await expect(page.getByTestId('run-history')).toHaveCount(0);

  // The runs table offers it too, on the stopped run only.
  await page.getByTestId('tab-runs').click();
  const row = page.getByTestId(`run-row-${runId}`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'stopped');
  await expect(page.getByTestId(`resume-${runId}`)).toHaveText('Resume…');
  await page.getByTestId('runs-search').fill('e2e');
  await screenshot(page, 'runs-resume.png');

  await page.getByTestId(`resume-${runId}`).click();
  const dialog = page.getByTestId('resume-dialog');
  await expect(dialog).toContainText(`Resume run #${runId}`);
  await expect(dialog).toContainText('e2e resumed');
  // Its checkpoints, latest first and picked: the step it stopped at, the end of epoch 1 (and maybe of
  // epoch 2, when the stop landed after it), step 0.
  const choices = dialog.locator('[data-testid^="resume-checkpoint-"]');
  await expect(choices.first()).toContainText(`step ${stoppedAt}`);
  expect(await choices.count()).toBeGreaterThanOrEqual(3);
  await expect(choices.first()).toContainText('latest');
  await expect(choices.first()).toContainText('KiB');
  await expect(choices.first().locator('input')).toBeChecked();
  await expect(choices.last()).toContainText('Epoch 0 (random init)');
  const epochOne = dialog.locator(`[data-step="${stepsPerEpoch}"]`);
  await expect(page.getByTestId('resume-more')).toHaveValue('0');
  await expect(page.getByTestId('resume-total')).toHaveText('0: finish the 4 epochs it was set for.');
  // Picking an earlier checkpoint says what it deletes; back to the latest.
  await epochOne.click();
  await expect(epochOne.locator('input')).toBeChecked();
  await expect(page.getByTestId('resume-replaces')).toContainText(
    new RegExp(`after step ${stepsPerEpoch} is deleted, with the (later checkpoint|\\d+ later checkpoints)`),
  );
  await choices.first().click();
  await expect(page.getByTestId('resume-replaces')).toHaveCount(0);
  await screenshot(page, 'resume-dialog.png');

  await page.getByTestId('resume-confirm').click();
  await expect(dialog).toHaveCount(0);
  // The run view of the same run, training again.
  await expect(page).toHaveURL(new RegExp(`#/live/${runId}$`));
  await expect(page.getByTestId('toast')).toContainText(`Run #${runId} resumed from step ${stoppedAt}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'running', {
    timeout: 120_000,
  });
  await expect(page.getByTestId('stop-run')).toBeVisible();
  const history = page.getByTestId('run-history');
  await expect(history).toContainText('Created');
  const first = page.getByTestId('history-resume-0');
  await expect(first).toContainText(`step ${stoppedAt}`);
  await expect(first).toHaveAttribute('data-from-step', String(stoppedAt));
  await expect(first).toHaveAttribute('data-epochs', '4');

  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 300_000,
  });
  // Every step once: the curve goes on from the checkpoint, nothing twice.
  await expect.poll(() => chartPoints(loss)).toBe(4 * stepsPerEpoch);
  await expect(page.getByTestId('live-run-select')).toHaveValue(String(runId));
  await screenshot(page, 'run-history.png', 1000);
  // The same after a reload, from the store.
  await page.reload();
  await expect.poll(() => chartPoints(page.getByTestId('chart-loss'))).toBe(4 * stepsPerEpoch);
  await expect(page.getByTestId('history-resume-0')).toHaveAttribute('data-from-step', String(stoppedAt));
});

test('continue the completed run for one more epoch', async ({ page }) => {
  await openApp(page, `#/live/${runId}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('resume-run')).toHaveText('Continue…');
  await page.getByTestId('resume-run').click();
  const dialog = page.getByTestId('resume-dialog');
  await expect(dialog).toContainText(`Continue run #${runId}`);
  await expect(dialog).toContainText('completed its 4 epochs');
  const more = page.getByTestId('resume-more');
  await expect(more).toHaveValue('1');
  await expect(page.getByTestId('resume-total')).toHaveText('Trains to 5 epochs in all.');
  // A completed run needs at least one more epoch.
  await more.fill('0');
  await expect(page.getByTestId('resume-more-error')).toHaveText('Must be at least 1');
  await expect(page.getByTestId('resume-confirm')).toBeDisabled();
  await more.fill('1');
  await expect(page.getByTestId('resume-confirm')).toBeEnabled();
  await screenshot(page, 'continue-dialog.png');

  await page.getByTestId('resume-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', /queued|running/);
  await expect(page.getByTestId('history-resume-1')).toHaveAttribute('data-epochs', '5');
  await expect(page.getByTestId('history-resume-1')).toHaveAttribute(
    'data-from-step',
    String(4 * stepsPerEpoch),
  );
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 300_000,
  });
  await expect.poll(() => chartPoints(page.getByTestId('chart-loss'))).toBe(5 * stepsPerEpoch);
  await expect(
    page.getByTestId('live-config').locator('tr', { has: page.locator('th[title="epochs"]') }),
  ).toContainText('5');
  const run = (await apiCall(page.request, 'getRun', [runId])) as Run;
  expect(run.config.epochs).toBe(5);
  expect(run.resumes.map((r) => r.epochs)).toEqual([4, 5]);
});

test('a resume the engine refuses shows its one-line error; a resume by another client shows up', async ({
  page,
  request,
}) => {
  await openApp(page, `#/live/${runId}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed');
  await page.getByTestId('resume-run').click();
  await expect(page.getByTestId('resume-dialog')).toBeVisible();
  // Another client continues the run first; this dialog's request then comes too late.
  await apiCall(request, 'resumeRun', [runId, { moreEpochs: 1 }]);
  await page.getByTestId('resume-confirm').click();
  const error = page.getByTestId('resume-error');
  await expect(error).toContainText(`run ${runId} is`);
  await expect(error).toContainText('it can be resumed once it has stopped');
  expect((await error.textContent())!.trim()).not.toContain('\n');
  await page.getByTestId('resume-dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('resume-dialog')).toHaveCount(0);

  // The other client's resume, as this window learns it from events.
  await expect(page.getByTestId('history-resume-2')).toHaveAttribute('data-epochs', '6');
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 300_000,
  });
  await expect.poll(() => chartPoints(page.getByTestId('chart-loss'))).toBe(6 * stepsPerEpoch);
});

test('settings: auto-resume and checkpoints kept, saved and read back', async ({ page, request }) => {
  await openApp(page, '#/runs');
  await page.getByTestId('nav-settings').click();
  await expect(page).toHaveURL(/#\/settings$/);
  const screen = page.getByTestId('settings-screen');
  await expect(screen).toContainText('Settings');
  const autoResume = page.getByTestId('setting-auto-resume');
  const keep = page.getByTestId('setting-keep');
  const save = page.getByTestId('settings-save');
  // The defaults: off, and every checkpoint kept.
  await expect(autoResume).not.toBeChecked();
  await expect(keep).toHaveValue('0');
  await expect(page.getByTestId('setting-keep-effect')).toHaveText('every checkpoint is kept');
  await expect(save).toBeDisabled();

  await autoResume.check();
  await expect(save).toBeEnabled();
  await keep.fill('2.5');
  await expect(screen).toContainText('Must be a whole number');
  await expect(save).toBeDisabled();
  await keep.fill('3');
  await expect(page.getByTestId('setting-keep-effect')).toHaveText(
    'step 0 and the latest 3 checkpoints are kept',
  );
  await save.click();
  await expect(page.getByTestId('toast')).toHaveText('Settings saved');
  await expect(save).toBeDisabled();
  expect(await apiCall(request, 'getSettings')).toEqual({
    ...defaultSettings,
    autoResumeInterrupted: true,
    keepCheckpoints: 3,
  } satisfies Settings);
  await screenshot(page, 'settings.png');

  await page.reload();
  await expect(autoResume).toBeChecked();
  await expect(keep).toHaveValue('3');

  // The checkpoints panel says how many are kept, and each checkpoint's size.
  await page.getByTestId('tab-live').click();
  await page.getByTestId('live-run-select').selectOption(String(runId));
  await page.getByTestId('eval-tab-checkpoints').click();
  const kept = page.getByTestId('checkpoints-kept');
  await expect(kept).toContainText('Each run keeps step 0 and its latest 3 checkpoints');
  await expect(page.getByTestId('checkpoint-list')).toContainText('KiB');
  await kept.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page
    .getByTestId('checkpoints')
    .screenshot({ path: path.join(screenshotDir, 'checkpoints-kept.png') });
  await page.getByTestId('checkpoints-kept-settings').click();
  await expect(page).toHaveURL(/#\/settings$/);

  // Chinese, dark.
  await page.getByTestId('language').selectOption('zh');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(screen).toContainText('实验台启动时恢复被中断的运行');
  await expect(page.getByTestId('setting-keep-effect')).toHaveText('保留第 0 步和最新的 3 个检查点');
  await screenshot(page, 'settings-zh-dark.png');
  await page.getByTestId(`tab-live`).click();
  await expect(page.getByTestId('run-history')).toContainText('历史');
  await screenshot(page, 'run-history-zh-dark.png', 1000);

  // Back to the defaults through the screen, so other specs on this server see them.
  await page.getByTestId('nav-settings').click();
  await autoResume.uncheck();
  await keep.fill('0');
  await save.click();
  await expect(save).toBeDisabled();
  expect(await apiCall(request, 'getSettings')).toEqual(defaultSettings);
});
