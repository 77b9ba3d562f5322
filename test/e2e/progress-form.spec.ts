import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { Run } from '../../src-main/domain';
import { apiCall, openApp, screenshot, setField } from './helpers';

/**
 * The run form's comforts (method search, section links, the dataset checked as it is typed, the
 * duration estimate), a running run's phase and tab title, Stop's confirmation, and the keyboard
 * shortcuts.
 */
test.describe.configure({ mode: 'serial' });

/** The config of the tiny finished run the estimate is made from, and of the form filled like it. */
const tiny = { epochs: 1, width: 8, batchSize: 64 };
let finishedId = 0;
let folder = '';

async function createRun(request: APIRequestContext, name: string, epochs: number, trainSize: number) {
  return (await apiCall(request, 'createRun', [
    {
      method: 'simclr',
      name,
      tags: ['e2e', 'progress-form'],
      dataset: { id: 'synthetic', trainSize, testSize: 64 },
      config: { ...tiny, epochs, projectionHiddenDim: 32 },
    },
  ])) as Run;
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  finishedId = (await createRun(request, 'e2e estimate source', 1, 128)).id;
  // A labelled image folder: three classes of four small PNG files.
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-form-folder-'));
  for (const [c, name] of ['circle', 'stripe', 'plain'].entries()) {
    fs.mkdirSync(path.join(folder, name));
    for (let i = 0; i < 4; i++) {
      const pixels = Buffer.alloc(8 * 8 * 3, 40 + 60 * c + 10 * i);
      await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } })
        .png()
        .toFile(path.join(folder, name, `${i}.png`));
    }
  }
  await expect
    .poll(async () => ((await apiCall(request, 'getRun', [finishedId])) as Run).status, { timeout: 90_000 })
    .toBe('completed');
});

test.afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

test('the run form: method search, section links, the dataset checked as typed, the duration estimate', async ({
  page,
}) => {
  await openApp(page, '#/new');
  const search = page.getByTestId('method-search');
  await search.fill('distillation');
  await expect(page.getByTestId('method-dino')).toBeVisible();
  await expect(page.getByTestId('method-simclr')).toHaveCount(0);
  await search.fill('simple framework 2020');
  await expect(page.locator('.method-card')).toHaveCount(1);
  await expect(page.getByTestId('method-simclr')).toBeVisible();
  await search.fill('no such method');
  await expect(page.getByTestId('method-search-none')).toContainText('No method matches “no such method”');
  await search.press('Escape');
  await expect(page.getByTestId('method-moco')).toBeVisible();
  await page.getByTestId('method-simclr').click();

  // LARS's trust coefficient is shown only while the optimiser is LARS (SimCLR's default is SGD), and
  // SGD's Nesterov momentum and decay exemption only while it is SGD.
  const trust = page.getByTestId('field-larsTrustCoefficient');
  const nesterov = page.getByTestId('field-nesterov');
  await expect(page.getByTestId('field-weightDecay')).toBeVisible();
  await expect(trust).toHaveCount(0);
  // SimCLR's defaults are its released code's SGD: Nesterov, norms undecayed.
  await expect(nesterov.locator('input')).toBeChecked();
  await expect(page.getByTestId('field-exemptNormsFromDecay').locator('input')).toBeChecked();
  await nesterov.locator('input').uncheck();
  await page
    .getByTestId('group-optimisation')
    .screenshot({ path: path.join(os.tmpdir(), 'progress-form-sgd.png') });
  await setField(page, 'optimizer', 'lars');
  await expect(trust).toBeVisible();
  await expect(nesterov).toHaveCount(0);
  await expect(page.getByTestId('field-exemptNormsFromDecay')).toHaveCount(0);
  await expect(trust.locator('input')).toHaveValue('0.02');
  await page
    .getByTestId('group-optimisation')
    .screenshot({ path: path.join(os.tmpdir(), 'progress-form-lars.png') });
  await setField(page, 'optimizer', 'sgd');
  await expect(trust).toHaveCount(0);
  await expect(nesterov.locator('input')).not.toBeChecked();

  // A section link brings its section into view.
  const evaluation = page.getByTestId('group-evaluation');
  await expect(evaluation).not.toBeInViewport();
  await page.getByTestId('section-link-evaluation').click();
  await expect(evaluation).toBeInViewport();
  await expect(page.getByTestId('form-sections')).toBeInViewport();

  // The folder, checked as it is typed: one line saying what is wrong, then what it holds.
  await page.getByTestId('section-link-data').click();
  await page.getByTestId('run-dataset').selectOption('imagefolder');
  const check = page.getByTestId('dataset-check');
  const missing = path.join(folder, 'no-such-folder');
  await page.getByTestId('run-datadir').pressSequentially(missing, { delay: 5 });
  await expect(check).toHaveAttribute('data-state', 'error');
  await expect(check).toContainText('no-such-folder');
  await page.screenshot({ path: path.join(os.tmpdir(), 'progress-form-folder-error.png') });
  expect((await check.innerText()).split('\n')).toHaveLength(1);
  await page.getByTestId('run-datadir').fill(folder);
  await expect(check).toHaveAttribute('data-state', 'ok');
  const counts = /✓ 3 classes, (\d+) training and (\d+) test images at 64×64 px/.exec(
    await check.innerText(),
  );
  expect(counts, await check.innerText()).not.toBeNull();
  expect(Number(counts![1]) + Number(counts![2])).toBe(12);

  // The estimate, from the finished run of the same method, backbone, width, batch and image size.
  await page.getByTestId('run-dataset').selectOption('synthetic');
  await page.getByTestId('run-trainsize').fill('128');
  await page.getByTestId('run-testsize').fill('64');
  await expect(check).toHaveText('✓ 10 classes, 128 training and 64 test images at 32×32 px');
  for (const [k, v] of Object.entries(tiny)) await setField(page, k, String(v));
  const estimate = page.getByTestId('duration-estimate');
  await expect(estimate).toHaveAttribute('data-known', 'true');
  await expect(estimate).toHaveText(/^Takes about \d+ (s|min) \(from \d+ similar runs?\)$/);
  await expect(estimate).toHaveAttribute('title', /\d+ images\/s/);
  await page.screenshot({ path: path.join(os.tmpdir(), 'progress-form-estimate.png') });
  await setField(page, 'width', '12');
  await expect(estimate).toHaveAttribute('data-known', 'false');
  await expect(estimate).toContainText('No duration estimate yet');
});

/** Records every phase the live view names from now on (a MutationObserver: evaluations are brief). */
async function recordPhases(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { phases: string[] }).phases = seen;
    const note = () => {
      const phase = document.querySelector('[data-testid="progress-phase"]')?.getAttribute('data-phase');
      if (phase && seen.at(-1) !== phase) seen.push(phase);
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-phase'],
    });
    note();
  });
  return () => page.evaluate(() => (window as unknown as { phases: string[] }).phases);
}

test('a running run: its phase, its progress in the tab title, and Stop asks first', async ({
  page,
  request,
}) => {
  // Longer than the test lasts however fast the machine (it is stopped at the end), with epochs of 16 steps
  // so that the view is not flooded with evaluations.
  const run = await createRun(request, 'e2e long enough to stop', 200, 1024);
  await openApp(page, `#/live/${run.id}`);
  const phases = await recordPhases(page);
  await expect
    .poll(async () => {
      const seen = await phases();
      return ['training', 'evaluating', 'checkpoint'].filter((p) => !seen.includes(p));
    })
    .toEqual([]);
  await expect(page.getByTestId('progress-phase')).toHaveText(
    /^(Training · epoch \d+ of 200|Evaluating \(kNN\) after epoch \d+|Saving a checkpoint)$/,
  );
  await expect(page.getByTestId('eta')).toBeVisible();
  await expect(page).toHaveTitle(new RegExp(`^\\d+% · SimCLR #${run.id} — ContrastLab$`));

  // From the runs table: the question, and a cancel that leaves the run running.
  await page.getByTestId('tab-runs').click();
  await page.getByTestId(`stop-${run.id}`).click();
  const dialog = page.getByTestId('stop-dialog');
  await expect(dialog).toContainText(`Stop run #${run.id}?`);
  await expect(dialog).toContainText('It saves a checkpoint first');
  await page.getByTestId('stop-cancel').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId(`run-row-${run.id}`).locator('.badge')).toHaveAttribute(
    'data-status',
    'running',
  );

  // From the run view: confirmed, it stops, and the title is the app's again.
  await page.getByTestId(`run-row-${run.id}`).getByRole('button', { name: run.name }).click();
  await page.getByTestId('stop-run').click();
  await expect(dialog).toContainText(`Stop run #${run.id}?`);
  await page.getByTestId('stop-confirm').click();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'stopped', {
    timeout: 60_000,
  });
  await expect(page).toHaveTitle('ContrastLab');
});

test('keyboard shortcuts: ? lists them, n opens the form, / searches, j and k step through runs', async ({
  page,
  request,
}) => {
  await openApp(page, '#/runs');
  await page.keyboard.press('?');
  const overlay = page.getByTestId('shortcuts');
  await expect(overlay).toBeVisible();
  await expect(overlay.locator('kbd')).toHaveText(['n', '/', 'j', 'k', '?']);
  await expect(page.getByTestId('shortcut-next-run')).toContainText('Next run');
  await screenshot(page, 'shortcuts.png');
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);

  await page.keyboard.press('n');
  await expect(page).toHaveURL(/#\/new/);
  // "/" focuses the screen's search; keys typed there are text, not shortcuts.
  await page.keyboard.press('/');
  await expect(page.getByTestId('method-search')).toBeFocused();
  await page.keyboard.type('nj');
  await expect(page.getByTestId('method-search')).toHaveValue('nj');
  await expect(page).toHaveURL(/#\/new/);
  await page.getByTestId('method-search').fill('');

  // j and k: the next and previous run in the order the run view lists them.
  // The app lists runs newest first.
  const ids = ((await apiCall(request, 'listRuns')) as Run[]).map((r) => r.id).sort((a, b) => b - a);
  expect(ids.length).toBeGreaterThanOrEqual(2);
  await page.goto(page.url().replace(/#.*$/, `#/live/${ids[0]}`));
  await expect(page.getByTestId('live-run-select')).toHaveValue(String(ids[0]));
  await page.keyboard.press('j');
  await expect(page.getByTestId('live-run-select')).toHaveValue(String(ids[1]));
  await expect(page).toHaveURL(new RegExp(`#/live/${ids[1]}$`));
  await page.keyboard.press('k');
  await expect(page.getByTestId('live-run-select')).toHaveValue(String(ids[0]));

  // In Chinese, and in the dark theme.
  await page.getByTestId('language').selectOption('zh');
  await page.getByTestId('theme-toggle').click();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('?');
  await expect(overlay).toContainText('键盘快捷键');
  await expect(page.getByTestId('shortcut-new-run')).toContainText('新建运行');
  await page.screenshot({ path: path.join(os.tmpdir(), 'shortcuts-zh-dark.png') });
  await page.getByTestId('shortcuts-close').click();
  await page.getByTestId('language').selectOption('en');
  await page.getByTestId('theme-toggle').click();
});
