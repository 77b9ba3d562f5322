import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the workbench in browser mode (and Electron where its binary is present).
 * Debian's Chromium where it is installed (Playwright cannot download its own browser offline);
 * otherwise Playwright's own. Run: npx playwright test -c test/e2e/playwright.config.ts
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const useSystemChromium = fs.existsSync(chromium);

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  outputDir: '../../test-results/e2e',
  // Training runs share two CPU cores with everything else: one test at a time.
  workers: 1,
  fullyParallel: false,
  // Generous: the machines running this share their cores with model training.
  timeout: 420_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: useSystemChromium
      ? {
          executablePath: chromium,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        }
      : {},
  },
});
