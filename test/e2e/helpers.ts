import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type APIRequestContext, type Download, type Locator, type Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = path.join(root, 'docs/screenshots');

/** The page URL `serve` printed (token included), with an optional hash route. */
export function appUrl(hash = ''): string {
  const url = process.env.E2E_URL;
  if (!url)
    throw new Error(
      'E2E_URL is not set: run through playwright.config.ts (its globalSetup starts the server)',
    );
  return url + hash;
}

export function origin(): string {
  return new URL(appUrl()).origin;
}

export function token(): string {
  return new URL(appUrl()).searchParams.get('token')!;
}

/** Opens the app with fixed preferences (English, light theme) so screenshots are reproducible. */
export async function openApp(
  page: Page,
  hash = '#/new',
  prefs: Record<string, unknown> = {},
): Promise<void> {
  await page.addInitScript((p) => {
    if (!sessionStorage.getItem('e2e.prefs-set')) {
      localStorage.setItem(
        'contrastlab.prefs',
        JSON.stringify({
          locale: 'en',
          theme: 'light',
          smoothing: 0.6,
          logScale: false,
          xMode: 'step',
          ...p,
        }),
      );
      sessionStorage.setItem('e2e.prefs-set', '1');
    }
  }, prefs);
  await page.goto(appUrl(hash));
  await expect(page.getByTestId('connection')).toHaveClass(/ok/);
}

/** Types a value into a schema field of the run form. */
export async function setField(page: Page, key: string, value: string): Promise<void> {
  const input = page.getByTestId(`field-${key}`).locator('input, select').first();
  if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
  else await input.fill(value);
}

/** How many metric points a chart holds (its data-points attribute). */
export async function chartPoints(chart: Locator): Promise<number> {
  return Number((await chart.getAttribute('data-points')) ?? '0');
}

export interface RunOptions {
  name: string;
  tags: string;
  fields: Record<string, string>;
}

/** Fills the new-run form for SimCLR on synthetic data and starts it; returns the new run's id. */
export async function startSimclrRun(
  page: Page,
  options: RunOptions,
  beforeStart?: () => Promise<void>,
): Promise<number> {
  await page.getByTestId('tab-new').click();
  await page.getByTestId('method-simclr').click();
  await expect(page.getByTestId('run-form')).toContainText('Configure SimCLR');
  await page.getByTestId('run-dataset').selectOption('synthetic');
  await page.getByTestId('run-name').fill(options.name);
  await page.getByTestId('run-tags').fill(options.tags);
  for (const [k, v] of Object.entries(options.fields)) await setField(page, k, v);
  const start = page.getByTestId('start-run');
  await expect(start).toBeEnabled();
  if (beforeStart) await beforeStart();
  await start.click();
  await expect(page).toHaveURL(/#\/live\/\d+$/);
  await expect(page.getByTestId('live-screen')).toBeVisible();
  return Number(/#\/live\/(\d+)$/.exec(page.url())![1]);
}

/** Saves a screenshot into docs/screenshots, optionally at a taller window size (restored after). */
export async function screenshot(page: Page, name: string, height?: number): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const size = page.viewportSize();
  if (height && size) await page.setViewportSize({ width: size.width, height });
  // Let charts resize, finish their (throttled) redraw, and the layout settle.
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(screenshotDir, name) });
  if (height && size) await page.setViewportSize(size);
}

/** Saves a download and parses it as CSV with a header row. */
export async function readCsvDownload(download: Download): Promise<Record<string, string>[]> {
  const file = path.join(process.env.E2E_TMP ?? root, download.suggestedFilename());
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** Calls the API as the page does (POST /api/<command> with the token header); returns the result. */
export async function apiCall(
  request: APIRequestContext,
  command: string,
  args: unknown[] = [],
): Promise<unknown> {
  const response = await request.post(`${origin()}/api/${command}`, {
    data: { args },
    headers: { 'x-contrastlab-token': token() },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { result: unknown }).result;
}
