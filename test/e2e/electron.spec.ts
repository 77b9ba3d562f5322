import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { chartPoints, root, setField } from './helpers';

/** The Electron binary, where the optional `electron` package installed it (its download needs the internet). */
function electronBinary(): { path: string | null; reason: string } {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron') as unknown;
    if (typeof binary === 'string' && fs.existsSync(binary)) return { path: binary, reason: '' };
    return {
      path: null,
      reason: 'the electron package is installed but its binary is missing (download failed)',
    };
  } catch {
    return {
      path: null,
      reason:
        'the Electron binary is not installed (optional dependency; its download needs internet access)',
    };
  }
}

const binary = electronBinary();

test.describe('desktop window (Electron)', () => {
  test.skip(!binary.path, binary.reason);

  test('opens the window and starts a run from the form', async () => {
    const mainFile = path.join(root, 'out/main/index.js');
    if (!fs.existsSync(mainFile) || !fs.existsSync(path.join(root, 'out/preload/index.cjs'))) {
      const vite = path.join(root, 'node_modules/electron-vite/bin/electron-vite.js');
      const built = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
      expect(built.status).toBe(0);
    }
    const db = path.join(process.env.E2E_TMP ?? fs.mkdtempSync('/tmp/contrastlab-electron-'), 'electron.db');
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [mainFile, '--db', db, '--no-sandbox'],
      cwd: root,
    });
    try {
      const page = await app.firstWindow();
      await expect(page.getByTestId('tab-new')).toBeVisible();
      // The preload's bridge is the transport here, and it exposes the native dialogs.
      expect(
        await page.evaluate(
          () =>
            typeof (window as unknown as { contrastlab?: { pickDirectory?: unknown } }).contrastlab
              ?.pickDirectory,
        ),
      ).toBe('function');
      await page.getByTestId('method-simclr').click();
      await page.getByTestId('run-dataset').selectOption('cifar10');
      await expect(page.getByTestId('browse')).toBeVisible();
      await page.getByTestId('run-dataset').selectOption('synthetic');
      await page.getByTestId('run-name').fill('electron e2e');
      for (const [k, v] of Object.entries({ epochs: '1', width: '8', batchSize: '64' }))
        await setField(page, k, v);
      await page.getByTestId('start-run').click();
      await expect(page.getByTestId('live-screen')).toBeVisible();
      await expect
        .poll(() => chartPoints(page.getByTestId('chart-loss')), { timeout: 120_000 })
        .toBeGreaterThan(0);
      await page.getByTestId('stop-run').click();
      await page.getByTestId('stop-confirm').click();
      await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', /stopped|completed/, {
        timeout: 60_000,
      });
    } finally {
      await app.close();
    }
  });
});
