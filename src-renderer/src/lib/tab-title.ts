import type { Run, RunProgress } from '../../../src-main/domain';

/** The run a browser tab's title follows: the one on screen while it is running, else the first running. */
export function titleRun(runs: readonly Run[], onScreen: number | null): Run | undefined {
  const running = runs.filter((r) => r.status === 'running');
  return running.find((r) => r.id === onScreen) ?? running[0];
}

/**
 * The window's title: a running run's progress first, so it reads in a narrow tab ("37% · SimCLR #12 —
 * ContrastLab"), or the app's name alone when nothing runs.
 */
export function tabTitle(
  app: string,
  runs: readonly Run[],
  progressOf: (id: number) => RunProgress | undefined,
  methodTitle: (id: string) => string,
  onScreen: number | null,
): string {
  const run = titleRun(runs, onScreen);
  if (!run) return app;
  const p = progressOf(run.id);
  const name = `${methodTitle(run.method)} #${run.id}`;
  if (!p || p.totalSteps <= 0) return `${name} — ${app}`;
  const percent = Math.min(100, Math.floor((100 * p.step) / p.totalSteps));
  return `${percent}% · ${name} — ${app}`;
}
