import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';
import type { Run } from '../../src-main/domain';
import { apiCall, openApp, screenshot } from './helpers';

/**
 * A run on a folder of images without labels (a flat folder): it trains, and the run view's kNN charts
 * say why they stay empty instead of "No data yet".
 */
test('a run on an unlabelled image folder trains, and its kNN charts say why they are empty', async ({
  page,
  request,
}) => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-unlabelled-'));
  // 64 small images of stripes and blobs, written as real PNG files.
  for (let i = 0; i < 64; i++) {
    const pixels = Buffer.alloc(20 * 20 * 3);
    for (let p = 0; p < 400; p++) {
      const [x, y] = [p % 20, Math.floor(p / 20)];
      const on = i % 2 === 0 ? (x + i) % 6 < 3 : (x - 10) ** 2 + (y - 10) ** 2 < (4 + (i % 5)) ** 2;
      pixels.fill(on ? 40 + i * 3 : 220 - i, p * 3, p * 3 + 3);
    }
    await sharp(pixels, { raw: { width: 20, height: 20, channels: 3 } })
      .png()
      .toFile(path.join(folder, `img-${i}.png`));
  }
  const run = (await apiCall(request, 'createRun', [
    {
      method: 'simclr',
      dataset: { id: 'imagefolder', dataDir: folder, imageSize: 16 },
      config: { epochs: 1, width: 8, batchSize: 16, projectionHiddenDim: 32 },
      name: 'e2e unlabelled folder',
    },
  ])) as Run;
  await openApp(page, `#/live/${run.id}`);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 120_000,
  });
  const knn = page.getByTestId('chart-knn_top1');
  await expect(knn.getByTestId('chart-empty')).toContainText(
    `kNN skipped: Image folder (${path.basename(folder)}) has no labels to judge with`,
  );
  // Training itself was recorded.
  await expect
    .poll(async () => Number((await page.getByTestId('chart-loss').getAttribute('data-points')) ?? 0))
    .toBeGreaterThan(0);
  await screenshot(page, 'run-unlabelled-folder.png');
  fs.rmSync(folder, { recursive: true, force: true });
});
