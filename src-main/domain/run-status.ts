/** The statuses of a run, and which of them are final. */
export const runStatuses = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** The statuses a run never leaves. */
export const terminalStatuses: ReadonlySet<RunStatus> = new Set([
  'completed',
  'failed',
  'stopped',
  'interrupted',
]);

export function isTerminal(status: RunStatus): boolean {
  return terminalStatuses.has(status);
}
