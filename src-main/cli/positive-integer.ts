import { UsageError } from './errors';

/** A run id, checkpoint id or count from the command line: a whole number > 0, else one line naming it. */
export function positiveInteger(what: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${what} must be a positive integer, got "${raw}"`);
  return n;
}
