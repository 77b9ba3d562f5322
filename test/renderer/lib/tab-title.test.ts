import { describe, expect, it } from 'vitest';
import type { Run, RunProgress } from '../../../src-main/domain';
import { tabTitle } from '../../../src-renderer/src/lib/tab-title';

const run = (id: number, status: Run['status'], method = 'simclr'): Run => ({
  id,
  name: `run ${id}`,
  method,
  status,
  dataset: { id: 'synthetic' },
  backendPreference: 'auto',
  executor: 'local',
  slurm: null,
  backend: null,
  device: null,
  config: {},
  tags: [],
  notes: '',
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  endedAt: null,
  summary: {},
  summarySteps: {},
  resumes: [],
});
const progress = (runId: number, step: number, totalSteps: number): RunProgress => ({
  runId,
  step,
  totalSteps,
  epoch: 0,
  epochs: 1,
  loss: null,
  imagesPerSecond: null,
  etaSeconds: null,
  phase: 'training',
});
const titles: Record<string, string> = { simclr: 'SimCLR', byol: 'BYOL' };
const title = (runs: Run[], reports: RunProgress[], onScreen: number | null) =>
  tabTitle(
    'ContrastLab',
    runs,
    (id) => reports.find((p) => p.runId === id),
    (m) => titles[m] ?? m,
    onScreen,
  );

describe('the tab title', () => {
  it('leads with a running run’s progress, method and id', () => {
    expect(title([run(12, 'running')], [progress(12, 37, 100)], null)).toBe('37% · SimCLR #12 — ContrastLab');
    // Rounded down: 100% only once every step is done.
    expect(title([run(12, 'running')], [progress(12, 299, 300)], null)).toBe(
      '99% · SimCLR #12 — ContrastLab',
    );
  });

  it('follows the running run on screen, else the first running one', () => {
    const runs = [run(3, 'completed'), run(5, 'running', 'byol'), run(7, 'running')];
    const reports = [progress(5, 1, 4), progress(7, 3, 4)];
    expect(title(runs, reports, 7)).toBe('75% · SimCLR #7 — ContrastLab');
    expect(title(runs, reports, 3)).toBe('25% · BYOL #5 — ContrastLab');
  });

  it('names a running run without a report yet, and is the app’s name when nothing runs', () => {
    expect(title([run(4, 'running')], [], 4)).toBe('SimCLR #4 — ContrastLab');
    expect(title([run(4, 'queued'), run(2, 'completed')], [], 4)).toBe('ContrastLab');
  });
});
