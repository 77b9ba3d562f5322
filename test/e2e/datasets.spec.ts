import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import type { DatasetEntry } from '../../src-main/domain';
import { apiCall, openApp, root, screenshot } from './helpers';

/**
 * The Datasets view in browser mode: the built-in dataset, CIFAR-10 added by its folder (classes, their
 * balance, sample images), a folder that does not read, a folder of PNG files (its classes, the file it
 * skipped, its cache built, rebuilt and deleted), and the run form picking the added datasets.
 */
test.describe.configure({ mode: 'serial' });

const cifarDir = path.join(root, '../shared/data/cifar10-subset/cifar-10-batches-bin');
let folder = '';

/** Shapes of three classes on varied colours, as SVG drawn to PNG by sharp (libvips). */
function shapeSvg(kind: string, i: number): string {
  const hue = (i * 47 + kind.length * 90) % 360;
  const bg = `hsl(${hue}, 45%, 82%)`;
  const fg = `hsl(${(hue + 180) % 360}, 60%, 38%)`;
  const r = 22 + (i % 4) * 5;
  const shape =
    kind === 'circles'
      ? `<circle cx="${48 + (i % 3) * 6}" cy="48" r="${r}" fill="${fg}"/>`
      : kind === 'squares'
        ? `<rect x="${48 - r}" y="${48 - r}" width="${2 * r}" height="${2 * r}" fill="${fg}" transform="rotate(${i * 9} 48 48)"/>`
        : `<polygon points="48,${48 - r} ${48 + r},${48 + r} ${48 - r},${48 + r}" fill="${fg}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="${bg}"/>${shape}</svg>`;
}

/** circles/ 9 images, squares/ 7, triangles/ 4 (an imbalanced folder), and one file that is no image. */
async function writeFolder(dir: string): Promise<void> {
  const counts: [string, number][] = [
    ['circles', 9],
    ['squares', 7],
    ['triangles', 4],
  ];
  for (const [kind, n] of counts) {
    fs.mkdirSync(path.join(dir, kind), { recursive: true });
    for (let i = 0; i < n; i++) {
      await sharp(Buffer.from(shapeSvg(kind, i)))
        .png()
        .toFile(path.join(dir, kind, `${kind}-${i}.png`));
    }
  }
  fs.writeFileSync(path.join(dir, 'triangles', 'corrupt.png'), 'this is not a PNG file');
}

const entry = (page: Page, key: string) => page.locator(`[data-testid="dataset-entry"][data-key="${key}"]`);

test.beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-shapes-'));
  await writeFolder(folder);
});

test.afterAll(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

test('the built-in dataset and CIFAR-10 added by its folder: classes, balance and samples', async ({
  page,
}) => {
  await openApp(page, '#/new');
  await page.getByTestId('tab-datasets').click();
  await expect(page).toHaveURL(/#\/datasets$/);
  await expect(page.getByTestId('datasets-screen')).toBeVisible();
  const synthetic = entry(page, 'synthetic');
  await expect(synthetic).toContainText('Synthetic shapes');
  await expect(synthetic).toContainText('built in');

  // The built-in dataset: ten generated classes, balanced.
  await synthetic.click();
  const detail = page.getByTestId('dataset-detail');
  await expect(detail).toHaveAttribute('data-key', 'synthetic');
  await expect(page.getByTestId('fact-classes')).toHaveText('10', { timeout: 60_000 });
  await expect(page.getByTestId('class-balance').locator('[data-testid^="balance-"]')).toHaveCount(11);

  // CIFAR-10 from its folder, typed (browser mode has no folder dialog).
  await expect(page.getByTestId('add-browse')).toHaveCount(0);
  await page.getByTestId('add-kind').selectOption('cifar10');
  await page.getByTestId('add-folder').fill(cifarDir);
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId('toast')).toContainText('Added CIFAR-10 (cifar-10-batches-bin)');
  await expect(page.getByTestId('dataset-title')).toHaveText('CIFAR-10 (cifar-10-batches-bin)');
  await expect(page.getByTestId('fact-images')).toContainText('4660 train · 846 test', { timeout: 60_000 });
  await expect(page.getByTestId('fact-size')).toContainText('32 × 32 × 3');
  await expect(page.getByTestId('fact-classes')).toHaveText('10');
  // Balance from the labels: a bar and a count per class and split.
  const airplane = page.getByTestId('balance-0');
  await expect(airplane).toContainText('airplane');
  await expect(airplane).toContainText('479');
  await expect(page.getByTestId('balance-line')).toContainText('Balanced');
  // Ten thumbnails per class, real 32-pixel images.
  const samples = page.getByTestId('sample-grid');
  await expect(samples.locator('[data-testid^="samples-"]')).toHaveCount(10);
  const firstRow = page.getByTestId('samples-0').locator('img');
  await expect(firstRow).toHaveCount(10);
  expect(await firstRow.first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(32);
  await expect(page.getByTestId('cache-none')).toBeVisible();
  await expect(page.getByTestId('skipped-panel')).toContainText('Every image file decoded.');
  // Once the toast has gone: it would cover the cache's buttons.
  await expect(page.getByTestId('toast')).toHaveCount(0, { timeout: 10_000 });
  await screenshot(page, 'datasets.png', 1500);

  // The same folder again: still one entry.
  const key = (await detail.getAttribute('data-key'))!;
  await page.getByTestId('add-kind').selectOption('cifar10');
  await page.getByTestId('add-folder').fill(cifarDir);
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId('toast')).toContainText('Added CIFAR-10');
  await expect(entry(page, key)).toHaveCount(1);
});

test('a folder that does not read is one line, and nothing is added', async ({ page, request }) => {
  await openApp(page, '#/datasets');
  const before = ((await apiCall(request, 'listDatasetEntries')) as DatasetEntry[]).length;
  const missing = path.join(folder, 'no-such-folder');
  await page.getByTestId('add-kind').selectOption('imagefolder');
  await page.getByTestId('add-folder').fill(missing);
  await page.getByTestId('add-submit').click();
  const error = page.getByTestId('add-error');
  await expect(error).toContainText('Could not add the dataset:');
  await expect(error).toContainText(missing);
  expect(((await apiCall(request, 'listDatasetEntries')) as DatasetEntry[]).length).toBe(before);
  // An image size out of range is refused in the form.
  await page.getByTestId('add-size').fill('300');
  await expect(page.getByTestId('add-submit')).toBeDisabled();
  await expect(page.getByTestId('add-dataset')).toContainText('A whole number from 16 to 256');
});

test('a folder of PNG files: classes, the skipped file, its cache built, rebuilt and deleted', async ({
  page,
}) => {
  await openApp(page, '#/datasets');
  await page.getByTestId('add-kind').selectOption('imagefolder');
  await page.getByTestId('add-folder').fill(folder);
  await page.getByTestId('add-name').fill('Shapes');
  await page.getByTestId('add-size').fill('48');
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId('dataset-title')).toHaveText('Shapes');
  await expect(page.getByTestId('fact-classes')).toHaveText('3', { timeout: 90_000 });
  await expect(page.getByTestId('fact-size')).toContainText('48 × 48 × 3');
  // Every decodable image of each class, over the training and the held-out test split.
  for (const [label, name, n] of [
    [0, 'circles', 9],
    [1, 'squares', 7],
    [2, 'triangles', 4],
  ] as const) {
    const row = page.getByTestId(`balance-${label}`);
    await expect(row).toContainText(name);
    const counts = await row.locator('.balance-n').allTextContents();
    expect(counts.reduce((sum, c) => sum + Number(c), 0)).toBe(n);
  }
  await expect(page.getByTestId('balance-line')).toContainText('Imbalanced');
  // The images read, per split: the 20 images, without the file that does not decode.
  const perSplit = [0, 0];
  for (const label of [0, 1, 2]) {
    const counts = await page.getByTestId(`balance-${label}`).locator('.balance-n').allTextContents();
    counts.forEach((c, k) => (perSplit[k]! += Number(c)));
  }
  expect(perSplit[0]! + perSplit[1]!).toBe(20);
  await expect(page.getByTestId('fact-images')).toHaveText(`${perSplit[0]} train · ${perSplit[1]} test`);
  // The file that is no image, with the decoder's reason.
  await expect(page.getByTestId('skipped-count')).toHaveText('1 file skipped');
  await expect(page.getByTestId('skipped-list')).toContainText('triangles/corrupt.png');
  // Thumbnails of the training images of each class (triangles: 4, too few to hold one out for testing).
  const trianglesTrain = Number(
    await page.getByTestId('balance-2').locator('.balance-n').first().textContent(),
  );
  await expect(page.getByTestId('samples-2').locator('img')).toHaveCount(Math.min(10, trianglesTrain));

  // Reading the folder built its cache at 48 px.
  const files = page.getByTestId('cache-file');
  await expect(files).toHaveCount(1);
  await expect(files.first()).toContainText('48 × 48 px');
  await expect(files.first()).toContainText('ready');
  await expect(page.getByTestId('cache-size')).toHaveValue('48');
  await expect(page.getByTestId('toast')).toHaveCount(0, { timeout: 10_000 });
  await screenshot(page, 'datasets-folder.png', 1250);

  // Rebuild: deleted, then decoded again in a worker; the toast says what was built.
  await page.getByTestId('cache-rebuild').click();
  await expect(page.getByTestId('toast')).toContainText(
    /Shapes: built imagefolder-48px-\w+\.images: 20 images at 48 px/,
    {
      timeout: 90_000,
    },
  );
  await expect(files).toHaveCount(1);

  // Delete it; the folder's images stay. Then build it again.
  await page.getByTestId('cache-delete-all').click();
  await expect(page.getByTestId('toast')).toContainText('Deleted 1 cache file');
  await expect(page.getByTestId('cache-none')).toBeVisible();
  expect(fs.readdirSync(path.join(folder, 'circles'))).toHaveLength(9);
  await page.getByTestId('cache-build').click();
  await expect(page.getByTestId('toast')).toContainText('Shapes: built', { timeout: 90_000 });
  await expect(files).toHaveCount(1);
});

test('the run form picks the added datasets, and takes one from the Datasets view', async ({ page }) => {
  await openApp(page, '#/new');
  await page.getByTestId('method-simclr').click();
  const select = page.getByTestId('run-dataset');
  const own = select.getByTestId('run-dataset-entry');
  await expect(own.filter({ hasText: 'Shapes' })).toHaveCount(1);
  await expect(own.filter({ hasText: 'CIFAR-10 (cifar-10-batches-bin)' })).toHaveCount(1);
  await select.selectOption({ label: 'Shapes' });
  await expect(page.getByTestId('run-datadir')).toHaveValue(folder);
  await expect(page.getByTestId('run-imagesize')).toHaveValue('48');
  await page.getByTestId('run-backend').scrollIntoViewIfNeeded();
  await screenshot(page, 'new-run-dataset.png');

  // The image size field: 16 to 256, or empty for the dataset's own.
  await page.getByTestId('run-imagesize').fill('300');
  await expect(page.getByTestId('run-form')).toContainText('A whole number from 16 to 256');
  await expect(page.getByTestId('start-run')).toBeDisabled();
  await page.getByTestId('run-imagesize').fill('');
  await expect(page.getByTestId('start-run')).toBeEnabled();
  // Back to a built-in dataset: the folder goes with the entry.
  await select.selectOption('synthetic');
  await expect(page.getByTestId('run-imagesize')).toHaveAttribute('placeholder', '32 (its own)');
  await expect(page.getByTestId('run-datadir')).toHaveCount(0);

  // "Use in a new run" from the Datasets view.
  await page.getByTestId('tab-datasets').click();
  await entry(page, `cifar10:${fs.realpathSync(cifarDir)}`).click();
  await page.getByTestId('dataset-use').click();
  await expect(page).toHaveURL(/#\/new/);
  await expect(page.getByTestId('run-datadir')).toHaveValue(cifarDir);
  await expect(select.locator('option:checked')).toHaveText('CIFAR-10 (cifar-10-batches-bin)');

  // Removing an added dataset forgets it; its files stay.
  await page.getByTestId('tab-datasets').click();
  const shapes = entry(page, `imagefolder:${fs.realpathSync(folder)}`);
  await shapes.click();
  await page.getByTestId('dataset-remove').click();
  await expect(page.getByTestId('toast')).toContainText('Removed Shapes from the list');
  await expect(shapes).toHaveCount(0);
  expect(fs.existsSync(path.join(folder, 'squares', 'squares-0.png'))).toBe(true);
});

test('the Datasets view in Chinese, in the dark theme', async ({ page }) => {
  await openApp(page, '#/datasets', { locale: 'zh', theme: 'dark' });
  await entry(page, `cifar10:${fs.realpathSync(cifarDir)}`).click();
  await expect(page.getByTestId('fact-classes')).toHaveText('10', { timeout: 60_000 });
  await expect(page.getByTestId('balance-line')).toContainText('分布均衡');
  await expect(page.getByTestId('samples-9').locator('img')).toHaveCount(10);
  await screenshot(page, 'datasets-zh-dark.png');
});
