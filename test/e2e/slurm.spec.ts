import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { expect, test, type Page } from '@playwright/test';
import { defaultSettings, type Run, type Settings } from '../../src-main/domain';
import { apiCall, chartPoints, openApp, root, screenshot, startSimclrRun } from './helpers';

/**
 * Runs on a real Slurm cluster from the app: the cluster profile in Settings with the batch script it
 * writes, a run submitted from the form that is queued, runs on a node with its curve drawn live and
 * completes, and a run stopped through scancel. CI brings up a one-node cluster first
 * (`scripts/slurm-cluster.sh up`); without one the spec is skipped, saying why.
 */
test.describe.configure({ mode: 'serial' });

/** Runs a Slurm command; its output, or null when it is missing or fails. */
function slurm(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  return result.error || result.status !== 0 ? null : result.stdout.trim();
}

/** Why there is no cluster to test against, or null when `sinfo` sees a partition that is up. */
function noCluster(): string | null {
  const partitions = slurm('sinfo', ['-h', '-o', '%a']);
  if (partitions === null) {
    const missing = spawnSync('sinfo', ['--version']).error;
    return missing
      ? 'sinfo is not on the PATH: no Slurm client here (CI runs scripts/slurm-cluster.sh up)'
      : 'sinfo fails: the Slurm cluster is down (scripts/slurm-cluster.sh up starts one)';
  }
  return partitions.split('\n').includes('up') ? null : 'the Slurm cluster has no partition up';
}
const skipReason = noCluster();

// 2000 synthetic images, batch 64 → 31 steps per epoch; width 8 keeps an epoch to seconds.
const stepsPerEpoch = 31;

/** Slurm's own view of a job: `scontrol show job` as key=value pairs (null once it forgot the job). */
function scontrolJob(jobId: string): Record<string, string> | null {
  const out = slurm('scontrol', ['show', 'job', '-o', jobId]);
  if (!out) return null;
  return Object.fromEntries(
    out
      .split(/\s+/)
      .map((pair) => pair.split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k!, v.join('=')]),
  );
}

/**
 * Records every status the run view's badge shows from now on (the form is replaced by the run view in
 * the same page), so the test sees a run pass through queued even when Slurm starts it within a poll.
 */
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { statusesSeen: string[] }).statusesSeen = seen;
    const note = () => {
      const status = document.querySelector('[data-testid="live-status"]')?.getAttribute('data-status');
      if (status && seen.at(-1) !== status) seen.push(status);
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
}
const statusesSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen);

async function chooseSlurm(page: Page): Promise<void> {
  const slurmChoice = page.getByTestId('run-executor-slurm');
  await expect(slurmChoice).toBeEnabled();
  await slurmChoice.click();
  await expect(slurmChoice).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('start-run')).toHaveText('Submit to Slurm');
}

test.describe('on the cluster', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  test.afterAll(async ({ request }) => {
    // Back to the defaults, so other specs on this server see them.
    const { autoResumeInterrupted: _a, keepCheckpoints: _k, ...ours } = defaultSettings;
    await apiCall(request, 'updateSettings', [ours]);
  });

  test('settings: local runs at once and the Slurm profile, with the batch script it writes', async ({
    page,
    request,
  }) => {
    await openApp(page, '#/settings');
    const save = page.getByTestId('settings-save');
    const maxRuns = page.getByTestId('setting-max-runs');
    // The defaults: one local run at a time, and the profile's defaults as values or placeholders.
    await expect(maxRuns).toHaveValue('1');
    await expect(page.getByTestId('setting-max-runs-effect')).toHaveText('one run trains at a time');
    await expect(page.getByTestId('settings-screen')).toContainText(
      'two on a laptop only slow each other down',
    );
    await expect(page.getByTestId('slurm-time')).toHaveValue(defaultSettings.slurm.timeLimit);
    await expect(page.getByTestId('slurm-cpus')).toHaveValue(String(defaultSettings.slurm.cpusPerTask));
    await expect(page.getByTestId('slurm-shared-dir')).toHaveAttribute(
      'placeholder',
      'slurm-runs beside the database',
    );
    await expect(page.getByTestId('slurm-launch')).toHaveAttribute('placeholder', /^this installation/);
    // What sinfo lists, the default partition marked.
    const defaultPartition = slurm('sinfo', ['-h', '-o', '%P'])!
      .split('\n')
      .find((p) => p.endsWith('*'))!
      .slice(0, -1);
    await expect(page.getByTestId('slurm-status')).toContainText(`${defaultPartition} (default)`);
    // The saved profile's script, before any change.
    const script = page.getByTestId('slurm-script');
    await expect(script).toContainText(`#SBATCH --time=${defaultSettings.slurm.timeLimit}`);
    await expect(script).toContainText(`#SBATCH --cpus-per-task=${defaultSettings.slurm.cpusPerTask}`);
    await expect(save).toBeDisabled();

    // Bounds checked as typed.
    await maxRuns.fill('0');
    await expect(page.getByTestId('setting-max-runs-error')).toHaveText('Must be at least 1');
    await maxRuns.fill('17');
    await expect(page.getByTestId('setting-max-runs-error')).toHaveText('Must be at most 16');
    await expect(save).toBeDisabled();
    await maxRuns.fill('2');
    await expect(page.getByTestId('setting-max-runs-effect')).toHaveText('2 runs train at a time');
    await page.getByTestId('slurm-cpus').fill('1.5');
    await expect(page.getByTestId('slurm-cpus-error')).toHaveText('Must be a whole number');
    await expect(save).toBeDisabled();
    await page.getByTestId('slurm-cpus').fill('1');

    // A time limit Slurm would refuse: the engine's one line beside the form, nothing saved.
    await page.getByTestId('slurm-time').fill('forever');
    await expect(save).toBeEnabled();
    await save.click();
    await expect(page.getByTestId('settings-error')).toContainText('Could not save the settings');
    await expect(page.getByTestId('settings-error')).toContainText(/time/i);
    expect(((await apiCall(request, 'getSettings')) as Settings).slurm).toEqual(defaultSettings.slurm);

    // A good profile: saved, read back, and the script shows each option.
    await page.getByTestId('slurm-time').fill('0:30:00');
    await page.getByTestId('slurm-partition').fill(defaultPartition);
    await page.getByTestId('slurm-extra').fill('#SBATCH --comment=contrastlab-e2e\n\n--nice=10');
    await expect(page.getByTestId('slurm-script-stale')).toBeVisible();
    await save.click();
    await expect(page.getByTestId('toast')).toHaveText('Settings saved');
    await expect(page.getByTestId('settings-error')).toHaveCount(0);
    await expect(save).toBeDisabled();
    const saved = (await apiCall(request, 'getSettings')) as Settings;
    expect(saved.maxConcurrentRuns).toBe(2);
    expect(saved.slurm).toEqual({
      ...defaultSettings.slurm,
      partition: defaultPartition,
      timeLimit: '0:30:00',
      cpusPerTask: 1,
      extraDirectives: ['--comment=contrastlab-e2e', '--nice=10'],
    });
    await expect(script).toContainText('#SBATCH --time=0:30:00');
    await expect(script).toContainText('#SBATCH --cpus-per-task=1');
    await expect(script).toContainText(`#SBATCH --partition=${defaultPartition}`);
    await expect(script).toContainText('#SBATCH --comment=contrastlab-e2e');
    await expect(script).toContainText('#SBATCH --nice=10');
    await expect(page.getByTestId('slurm-extra')).toHaveValue('--comment=contrastlab-e2e\n--nice=10');
    await screenshot(page, 'settings-slurm.png', 1500);

    // Back to one local run at a time; the profile stays for the runs below.
    await maxRuns.fill('1');
    await save.click();
    await expect(save).toBeDisabled();
    expect(((await apiCall(request, 'getSettings')) as Settings).maxConcurrentRuns).toBe(1);
  });

  test('a run on the Slurm cluster: queued, running on a node with its curve growing live, completed', async ({
    page,
    request,
  }) => {
    const node = slurm('sinfo', ['-h', '-o', '%N'])!;
    await openApp(page, '#/new');
    const runId = await startSimclrRun(
      page,
      { name: 'e2e slurm', tags: 'e2e, slurm', fields: { width: '8', batchSize: '64', epochs: '3' } },
      async () => {
        await chooseSlurm(page);
        await expect(page.getByTestId('run-executor-help')).toContainText('One sbatch job on partition');
        await screenshot(page, 'new-run-slurm.png');
        await recordStatuses(page);
      },
    );
    await expect(page.getByTestId('live-executor')).toHaveText('Slurm cluster');
    const jobCell = page.getByTestId('live-slurm-job');
    await expect(jobCell).toHaveText(/^\d+$/, { timeout: 60_000 });
    const jobId = (await jobCell.textContent())!;
    // The same job as Slurm knows it: ours by its name and the profile's comment.
    const job = scontrolJob(jobId);
    expect(job?.Comment).toBe('contrastlab-e2e');
    expect(((await apiCall(request, 'getRun', [runId])) as Run).slurm?.jobId).toBe(jobId);

    // Running on the cluster's node, its loss curve drawn while it trains.
    const status = page.getByTestId('live-status');
    await expect(status).toHaveAttribute('data-status', 'running', { timeout: 120_000 });
    await expect(page.getByTestId('live-slurm-node')).toHaveText(node, { timeout: 60_000 });
    await expect(page.getByTestId('live-slurm-state')).toHaveText('RUNNING');
    const loss = page.getByTestId('chart-loss');
    await expect.poll(() => chartPoints(loss), { timeout: 180_000 }).toBeGreaterThan(3);
    const early = await chartPoints(loss);
    await expect(status).toHaveAttribute('data-status', 'running');
    await screenshot(page, 'slurm-run.png');
    await expect.poll(() => chartPoints(loss), { timeout: 120_000 }).toBeGreaterThan(early);

    await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 300_000 });
    await expect.poll(() => chartPoints(loss)).toBe(3 * stepsPerEpoch);
    await expect(page.getByTestId('live-slurm-state')).toHaveText('COMPLETED', { timeout: 60_000 });
    expect(await statusesSeen(page)).toEqual(['queued', 'running', 'completed']);
    expect(scontrolJob(jobId)?.JobState).toBe('COMPLETED');

    // The same view in Chinese and dark.
    await page.getByTestId('language').selectOption('zh');
    await page.getByTestId('theme-toggle').click();
    await expect(page.getByTestId('live-slurm')).toContainText('Slurm 作业');
    await screenshot(page, 'slurm-run-zh-dark.png');
    await page.getByTestId('language').selectOption('en');
    await page.getByTestId('theme-toggle').click();
  });

  test('stop a run on the Slurm cluster: its job is cancelled and the run is stopped', async ({ page }) => {
    await openApp(page, '#/new');
    await startSimclrRun(
      page,
      {
        name: 'e2e slurm stopped',
        tags: 'e2e, slurm',
        fields: { width: '8', batchSize: '64', epochs: '50' },
      },
      () => chooseSlurm(page),
    );
    const status = page.getByTestId('live-status');
    await expect(status).toHaveAttribute('data-status', 'running', { timeout: 120_000 });
    await expect
      .poll(() => chartPoints(page.getByTestId('chart-loss')), { timeout: 180_000 })
      .toBeGreaterThan(3);
    const jobId = (await page.getByTestId('live-slurm-job').textContent())!;
    expect(scontrolJob(jobId)?.JobState).toBe('RUNNING');

    await page.getByTestId('stop-run').click();
    await page.getByTestId('stop-confirm').click();
    await expect(status).toHaveAttribute('data-status', 'stopped', { timeout: 90_000 });
    // Slurm no longer runs it.
    await expect
      .poll(() => scontrolJob(jobId)?.JobState, { timeout: 60_000 })
      .toMatch(/^(CANCELLED|COMPLETED)$/);
    await expect(page.getByTestId('stop-run')).toHaveCount(0);
    await screenshot(page, 'slurm-run-stopped.png');
  });
});

/** Starts `contrastlab serve` on a fresh database with an empty PATH: no Slurm client to find. */
async function serveWithoutSlurm(dir: string): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, ['bin/contrastlab.js', 'serve', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: dir, CONTRASTLAB_TOKEN: '', CONTRASTLAB_DB: path.join(dir, 'no-slurm.db') },
  });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 60 s:\n${stderr}`)), 60_000);
    readline.createInterface({ input: server.stdout! }).on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    server.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${stderr}`)));
  });
  server.stdout!.resume();
  return { server, url };
}

test('without a Slurm client the form offers this machine only, and says why', async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-no-slurm-'));
  const { server, url } = await serveWithoutSlurm(dir);
  try {
    await page.addInitScript(() =>
      localStorage.setItem('contrastlab.prefs', JSON.stringify({ locale: 'en', theme: 'light' })),
    );
    await page.goto(`${url}#/new/simclr`);
    await expect(page.getByTestId('connection')).toHaveClass(/ok/);
    await expect(page.getByTestId('run-executor-slurm')).toBeDisabled();
    await expect(page.getByTestId('run-executor-local')).toHaveAttribute('aria-checked', 'true');
    // The engine's reason: it found no sinfo to ask.
    await expect(page.getByTestId('run-executor-help')).toContainText(
      /^Slurm cluster unavailable: .*sinfo.*not installed/,
    );
    await expect(page.getByTestId('start-run')).toHaveText('Start run');
    await page.getByTestId('run-executor').scrollIntoViewIfNeeded();
    await screenshot(page, 'new-run-no-slurm.png');
    // Settings says the same above the profile, which can still be edited for later.
    await page.goto(`${url}#/settings`);
    await expect(page.getByTestId('slurm-status')).toContainText('Slurm is not reachable from here');
    await expect(page.getByTestId('slurm-partition')).toBeEnabled();
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
